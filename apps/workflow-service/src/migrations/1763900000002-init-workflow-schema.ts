import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '@ecert/messaging';

export class InitWorkflowSchema1763900000002 implements MigrationInterface {
  name = 'InitWorkflowSchema1763900000002';

  async up(q: QueryRunner): Promise<void> {
    await createMessagingTables(q, 'workflow');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropMessagingTables(q, 'workflow');
  }
}
