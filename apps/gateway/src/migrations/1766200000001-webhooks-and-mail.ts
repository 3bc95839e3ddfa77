import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: webhook subscriptions of registered clients, their deliveries (ordered per subscription
 * and certificate/seal/application by `seq`) with a log of every attempt, and the e-mails to
 * handlers (one per event).
 */
export class WebhooksAndMail1766200000001 implements MigrationInterface {
  name = 'WebhooksAndMail1766200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway"."webhook_subscription" (
        "id" uuid PRIMARY KEY,
        "client_id" uuid NOT NULL REFERENCES "gateway"."client"("id"),
        "url" text NOT NULL,
        "event_types" text[] NOT NULL,
        "region_codes" text[] NOT NULL,
        "description" text,
        "status" text NOT NULL DEFAULT 'active' CHECK ("status" IN ('active', 'paused')),
        "secret_sealed" text NOT NULL,
        "previous_secret_sealed" text,
        "previous_secret_until" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "webhook_subscription_client_idx" ON "gateway"."webhook_subscription" ("client_id")`);
    await q.query(`
      CREATE TABLE "gateway"."webhook_delivery" (
        "id" uuid PRIMARY KEY,
        "seq" bigserial NOT NULL UNIQUE,
        "subscription_id" uuid NOT NULL REFERENCES "gateway"."webhook_subscription"("id") ON DELETE CASCADE,
        "event_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "order_key" text NOT NULL,
        "body" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'delivering', 'failed', 'succeeded', 'dead')),
        "generation" int NOT NULL DEFAULT 0,
        "attempts" int NOT NULL DEFAULT 0,
        "last_status_code" int,
        "last_error" text,
        "claimed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "delivered_at" timestamptz,
        "dead_at" timestamptz,
        UNIQUE ("subscription_id", "event_id")
      )`);
    // The open deliveries of a key, oldest first: the head is the one to attempt.
    await q.query(`CREATE INDEX "webhook_delivery_open_idx" ON "gateway"."webhook_delivery" ("subscription_id", "order_key", "seq") WHERE "status" IN ('pending', 'delivering', 'failed')`);
    await q.query(`CREATE INDEX "webhook_delivery_log_idx" ON "gateway"."webhook_delivery" ("subscription_id", "seq")`);
    await q.query(`
      CREATE TABLE "gateway"."webhook_delivery_attempt" (
        "id" bigserial PRIMARY KEY,
        "delivery_id" uuid NOT NULL REFERENCES "gateway"."webhook_delivery"("id") ON DELETE CASCADE,
        "attempt" int NOT NULL,
        "started_at" timestamptz NOT NULL,
        "duration_ms" int NOT NULL,
        "status_code" int,
        "error" text,
        "outcome" text NOT NULL CHECK ("outcome" IN ('succeeded', 'failed'))
      )`);
    await q.query(`CREATE INDEX "webhook_delivery_attempt_delivery_idx" ON "gateway"."webhook_delivery_attempt" ("delivery_id", "id")`);
    await q.query(`
      CREATE TABLE "gateway"."mail_delivery" (
        "id" uuid PRIMARY KEY,
        "event_id" uuid NOT NULL UNIQUE,
        "event_type" text NOT NULL,
        "certificate_serial" text NOT NULL,
        "data" jsonb NOT NULL,
        "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'sent', 'no_contact', 'failed', 'dead')),
        "recipient" text,
        "application_id" uuid,
        "attempts" int NOT NULL DEFAULT 0,
        "last_error" text,
        "message_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "sent_at" timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['mail_delivery', 'webhook_delivery_attempt', 'webhook_delivery', 'webhook_subscription']) await q.query(`DROP TABLE IF EXISTS "gateway"."${t}"`);
  }
}
