import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '@ecert/messaging';

export class InitSealSchema1763900000001 implements MigrationInterface {
  name = 'InitSealSchema1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await createMessagingTables(q, 'seal');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropMessagingTables(q, 'seal');
  }
}
