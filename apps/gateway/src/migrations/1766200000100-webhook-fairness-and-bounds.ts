import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 review: a delivery knows whether a job was queued for its current generation (so a
 * pass queues only what is not queued yet, at most WEBHOOK_SUBSCRIPTION_CONCURRENCY per
 * subscription), where its current series of attempts began (the retry budget is counted in the
 * database), and a mail is claimed before it is sent (`sending` with a lease). Indexes for the
 * sweeps and the retention prune.
 */
export class WebhookFairnessAndBounds1766200000100 implements MigrationInterface {
  name = 'WebhookFairnessAndBounds1766200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gateway"."webhook_delivery" ADD COLUMN "queued_generation" int, ADD COLUMN "queued_at" timestamptz, ADD COLUMN "series_start" int NOT NULL DEFAULT 0`);
    // The queued, still open deliveries of a subscription: its slots.
    await q.query(`CREATE INDEX "webhook_delivery_queued_idx" ON "gateway"."webhook_delivery" ("subscription_id") WHERE "status" IN ('pending', 'delivering', 'failed') AND "queued_generation" IS NOT NULL`);
    // A pass walks a subscription's waiting deliveries oldest first, past none of the finished ones.
    await q.query(`CREATE INDEX "webhook_delivery_ready_idx" ON "gateway"."webhook_delivery" ("subscription_id", "seq") WHERE "status" IN ('pending', 'failed')`);
    await q.query(`CREATE INDEX "webhook_delivery_finished_idx" ON "gateway"."webhook_delivery" ("created_at") WHERE "status" IN ('succeeded', 'dead')`);
    await q.query(`ALTER TABLE "gateway"."mail_delivery" DROP CONSTRAINT "mail_delivery_status_check"`);
    await q.query(`ALTER TABLE "gateway"."mail_delivery" ADD CONSTRAINT "mail_delivery_status_check" CHECK ("status" IN ('pending', 'sending', 'sent', 'no_contact', 'failed', 'dead'))`);
    await q.query(`ALTER TABLE "gateway"."mail_delivery" ADD COLUMN "lease_until" timestamptz`);
    await q.query(`CREATE INDEX "mail_delivery_open_idx" ON "gateway"."mail_delivery" ("created_at") WHERE "status" IN ('pending', 'sending', 'failed')`);
    await q.query(`CREATE INDEX "mail_delivery_created_idx" ON "gateway"."mail_delivery" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "gateway"."mail_delivery_created_idx"`);
    await q.query(`DROP INDEX IF EXISTS "gateway"."mail_delivery_open_idx"`);
    await q.query(`ALTER TABLE "gateway"."mail_delivery" DROP COLUMN "lease_until"`);
    await q.query(`UPDATE "gateway"."mail_delivery" SET "status" = 'pending' WHERE "status" = 'sending'`);
    await q.query(`ALTER TABLE "gateway"."mail_delivery" DROP CONSTRAINT "mail_delivery_status_check"`);
    await q.query(`ALTER TABLE "gateway"."mail_delivery" ADD CONSTRAINT "mail_delivery_status_check" CHECK ("status" IN ('pending', 'sent', 'no_contact', 'failed', 'dead'))`);
    await q.query(`DROP INDEX IF EXISTS "gateway"."webhook_delivery_finished_idx"`);
    await q.query(`DROP INDEX IF EXISTS "gateway"."webhook_delivery_ready_idx"`);
    await q.query(`DROP INDEX IF EXISTS "gateway"."webhook_delivery_queued_idx"`);
    await q.query(`ALTER TABLE "gateway"."webhook_delivery" DROP COLUMN "queued_generation", DROP COLUMN "queued_at", DROP COLUMN "series_start"`);
  }
}
