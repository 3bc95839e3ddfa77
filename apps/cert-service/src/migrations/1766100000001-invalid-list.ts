import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the invalid status (失效, 第二十条) with its reason, the once-only marks of the renewal
 * reminder and the expiry event, the record of invalidation runs, the outbox's bulk lane, and the
 * partial indexes the batch jobs scan with (each over live certificates only, so they stay small
 * next to the table and the jobs never read a row they do not act on).
 */
export class InvalidList1766100000001 implements MigrationInterface {
  name = 'InvalidList1766100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."certificate" DROP CONSTRAINT IF EXISTS "certificate_status_check"`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD CONSTRAINT "certificate_status_check" CHECK ("status" IN ('active','frozen','revoked','invalid'))`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "invalid_reason" text
      CHECK ("invalid_reason" IN ('lost_unresolved','damaged_unresolved','expired_unresolved','idle'))`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "invalidated_at" timestamptz`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD CONSTRAINT "certificate_invalid_has_reason"
      CHECK (("status" = 'invalid') = ("invalid_reason" IS NOT NULL AND "invalidated_at" IS NOT NULL))`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "last_activity_kind" text`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "renewal_due_notified_at" timestamptz`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "expiry_notified_at" timestamptz`);
    // 第二十条 scans: idle (issuance starts the clock), lost (frozen), and expiry-based (expired two
    // years, the renewal window, the expiry event), each over the live statuses only.
    await q.query(`CREATE INDEX "certificate_idle_scan_idx" ON "cert"."certificate" ((COALESCE("last_activity_at", "not_before"))) WHERE "status" = 'active'`);
    await q.query(`CREATE INDEX "certificate_frozen_scan_idx" ON "cert"."certificate" ("frozen_at") WHERE "status" = 'frozen'`);
    await q.query(`CREATE INDEX "certificate_live_not_after_idx" ON "cert"."certificate" ("not_after") WHERE "status" IN ('active','frozen')`);
    // The invalid list: by region and time, newest first.
    await q.query(`CREATE INDEX "certificate_invalid_list_idx" ON "cert"."certificate" ("region_code", "invalidated_at", "serial") WHERE "status" = 'invalid'`);
    await q.query(`CREATE INDEX "ukey_history_damaged_idx" ON "cert"."ukey_history" ("serial", "at") WHERE "action" = 'report_damaged'`);
    await q.query(`
      CREATE TABLE "cert"."invalidation_run" (
        "id" uuid PRIMARY KEY,
        "dry_run" boolean NOT NULL,
        "trigger" text NOT NULL CHECK ("trigger" IN ('schedule','operator')),
        "requested_by" text,
        "request_id" text,
        "as_of" timestamptz NOT NULL,
        "queued_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "finished_at" timestamptz,
        "counts" jsonb,
        "total" int,
        "error" text
      )`);
    // Bulk lane: events of batch jobs (a million invalidations) publish beside, not before, a freeze's.
    await q.query(`ALTER TABLE "cert"."outbox" ADD COLUMN "lane" smallint NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX "outbox_unpublished_lane_idx" ON "cert"."outbox" ("lane", "seq") WHERE "published_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "cert"."outbox_unpublished_lane_idx"`);
    await q.query(`ALTER TABLE "cert"."outbox" DROP COLUMN IF EXISTS "lane"`);
    await q.query(`DROP TABLE IF EXISTS "cert"."invalidation_run"`);
    await q.query(`DROP INDEX IF EXISTS "cert"."ukey_history_damaged_idx"`);
    for (const i of ['certificate_invalid_list_idx', 'certificate_live_not_after_idx', 'certificate_frozen_scan_idx', 'certificate_idle_scan_idx']) {
      await q.query(`DROP INDEX IF EXISTS "cert"."${i}"`);
    }
    await q.query(`ALTER TABLE "cert"."certificate" DROP CONSTRAINT IF EXISTS "certificate_invalid_has_reason"`);
    await q.query(`UPDATE "cert"."certificate" SET "status" = 'revoked' WHERE "status" = 'invalid'`);
    for (const c of ['expiry_notified_at', 'renewal_due_notified_at', 'last_activity_kind', 'invalidated_at', 'invalid_reason']) {
      await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "${c}"`);
    }
    await q.query(`ALTER TABLE "cert"."certificate" DROP CONSTRAINT IF EXISTS "certificate_status_check"`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD CONSTRAINT "certificate_status_check" CHECK ("status" IN ('active','frozen','revoked'))`);
  }
}
