import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@ecert/database';

/** The index deltas read status stamps by (migration 1766200000000), built concurrently. */
export class CrlSnapshotsIndex1766200000001 implements MigrationInterface {
  name = 'CrlSnapshotsIndex1766200000001';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(q, 'cert', 'certificate_ca_status_xid_idx', `"cert"."certificate" ("ca_id", "status_xid") WHERE "status_xid" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "cert"."certificate_ca_status_xid_idx"`);
  }
}
