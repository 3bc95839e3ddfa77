import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receipts of seal creations sent with an idempotency key (libs/database CommandReceipts): one per
 * caller and key, written with the seal, so a retry gets that seal instead of a second one. Kept
 * at least 30 days.
 */
export class CommandReceipts1764800000002 implements MigrationInterface {
  name = 'CommandReceipts1764800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "seal"."command_receipt" (
        "caller" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "command" text NOT NULL CHECK ("command" IN ('create')),
        "request_hash" text NOT NULL,
        "seal_id" uuid NOT NULL REFERENCES "seal"."seal"("id"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("caller", "idempotency_key")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "seal"."command_receipt"`);
  }
}
