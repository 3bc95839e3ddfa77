import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@ecert/database';

/**
 * The certificate list's order (created_at DESC, serial): its keyset pages (`after`) and first
 * pages read an index range instead of sorting the table. Built concurrently (millions of rows).
 */
export class CertificateListIndex1766300000001 implements MigrationInterface {
  name = 'CertificateListIndex1766300000001';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(q, 'cert', 'certificate_list_order_idx', `"cert"."certificate" ("created_at" DESC, "serial")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "cert"."certificate_list_order_idx"`);
  }
}
