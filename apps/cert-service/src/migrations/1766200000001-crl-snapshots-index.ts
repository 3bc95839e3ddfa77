import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index deltas read status stamps by (migration 1766200000000), built CONCURRENTLY outside a
 * transaction: on ten million certificates a plain CREATE INDEX holds the table for seconds, and
 * OCSP, logins and issuance would wait behind it past their lock timeouts. The pool's statement
 * timeout would also cut a long build off, so it is lifted (and the lock wait raised) for this migration only.
 */
export class CrlSnapshotsIndex1766200000001 implements MigrationInterface {
  name = 'CrlSnapshotsIndex1766200000001';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    // CONCURRENTLY also waits for every open transaction on the table (each bounded by the pool's timeouts).
    await q.query('SET statement_timeout = 0');
    await q.query(`SET lock_timeout = '60s'`);
    try {
      // A build interrupted before (it leaves an INVALID index behind): drop it and build again.
      await q.query(`DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'cert' AND c.relname = 'certificate_ca_status_xid_idx' AND NOT i.indisvalid) THEN
          DROP INDEX "cert"."certificate_ca_status_xid_idx";
        END IF; END $$`);
      await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "certificate_ca_status_xid_idx" ON "cert"."certificate" ("ca_id", "status_xid") WHERE "status_xid" IS NOT NULL`);
    } finally {
      await q.query('RESET statement_timeout');
      await q.query('RESET lock_timeout');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "cert"."certificate_ca_status_xid_idx"`);
  }
}
