import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Document retention (issue 11): a document past DOCUMENT_RETENTION_DAYS is marked purged (its
 * row, signatures and verification reports stay as the audit trail) and its bytes leave the store
 * once nothing live uses them. The partial index serves the sweep's "due and not purged yet".
 */
export class DocumentRetention1766000000003 implements MigrationInterface {
  name = 'DocumentRetention1766000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "seal"."document" ADD COLUMN "purged_at" timestamptz`);
    await q.query(`CREATE INDEX "document_retention_due_idx" ON "seal"."document" ("retained_until") WHERE "purged_at" IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS "seal_session_prepared_idx" ON "seal"."seal_session" ("prepared_sha256")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "seal"."seal_session_prepared_idx"`);
    await q.query(`DROP INDEX IF EXISTS "seal"."document_retention_due_idx"`);
    await q.query(`ALTER TABLE "seal"."document" DROP COLUMN IF EXISTS "purged_at"`);
  }
}
