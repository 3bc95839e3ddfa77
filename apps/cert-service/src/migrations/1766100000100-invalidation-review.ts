import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 review: the idle scan indexes what the rule reads (an activity recorded before issuance
 * never ages a certificate: GREATEST with not_before), the national invalid list has an index in
 * its order (newest first), a run records the system it came through beside the staff id, and a
 * certificate the system that reported its last activity.
 */
export class InvalidationReview1766100000100 implements MigrationInterface {
  name = 'InvalidationReview1766100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "cert"."certificate_idle_scan_idx"`);
    await q.query(`CREATE INDEX "certificate_idle_since_idx" ON "cert"."certificate"
      ((GREATEST(COALESCE("last_activity_at", "not_before"), "not_before"))) WHERE "status" = 'active'`);
    await q.query(`CREATE INDEX "certificate_invalid_newest_idx" ON "cert"."certificate" ("invalidated_at" DESC, "serial" DESC) WHERE "status" = 'invalid'`);
    await q.query(`ALTER TABLE "cert"."invalidation_run" ADD COLUMN "requested_by_client" text`);
    // Who reported the last activity (a business system's client id; null: the platform saw it).
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "last_activity_client" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "last_activity_client"`);
    await q.query(`ALTER TABLE "cert"."invalidation_run" DROP COLUMN IF EXISTS "requested_by_client"`);
    await q.query(`DROP INDEX IF EXISTS "cert"."certificate_invalid_newest_idx"`);
    await q.query(`DROP INDEX IF EXISTS "cert"."certificate_idle_since_idx"`);
    await q.query(`CREATE INDEX "certificate_idle_scan_idx" ON "cert"."certificate" ((COALESCE("last_activity_at", "not_before"))) WHERE "status" = 'active'`);
  }
}
