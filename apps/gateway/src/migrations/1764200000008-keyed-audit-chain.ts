import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 8: audit records keyed (HMAC-SHA256; `alg` says which records predate it), an actor for
 * changes no client or staff member made (event consumers), signed checkpoints of the chain head,
 * and an inbox for the gateway's consumer of every domain event.
 */
export class KeyedAuditChain1764200000008 implements MigrationInterface {
  name = 'KeyedAuditChain1764200000008';

  async up(q: QueryRunner): Promise<void> {
    // Existing records were hashed without a key: they stay verifiable as 'sha256'.
    await q.query(`ALTER TABLE "gateway"."audit_log" ADD COLUMN "alg" text NOT NULL DEFAULT 'sha256' CHECK ("alg" IN ('sha256', 'hmac-sha256'))`);
    await q.query(`ALTER TABLE "gateway"."audit_log" ALTER COLUMN "alg" DROP DEFAULT`);
    await q.query(`ALTER TABLE "gateway"."audit_log" ADD COLUMN "actor" text`);
    await q.query(`CREATE INDEX "audit_log_target_idx" ON "gateway"."audit_log" ("target")`);
    await q.query(`
      CREATE TABLE "gateway"."audit_checkpoint" (
        "seq" bigint PRIMARY KEY,
        "hash" char(64) NOT NULL,
        "at" timestamptz NOT NULL,
        "checkpoint" jsonb NOT NULL,
        "algorithm" text NOT NULL,
        "signature" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // Same shape as every service's inbox (libs/messaging), without an outbox: the gateway publishes nothing.
    await q.query(`
      CREATE TABLE "gateway"."inbox" (
        "consumer" text NOT NULL,
        "event_id" uuid NOT NULL,
        "type" text NOT NULL,
        "aggregate_id" text NOT NULL,
        "payload" jsonb NOT NULL,
        "processed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("consumer", "event_id")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "gateway"."inbox"`);
    await q.query(`DROP TABLE IF EXISTS "gateway"."audit_checkpoint"`);
    await q.query(`DROP INDEX IF EXISTS "gateway"."audit_log_target_idx"`);
    await q.query(`ALTER TABLE "gateway"."audit_log" DROP COLUMN IF EXISTS "actor"`);
    await q.query(`ALTER TABLE "gateway"."audit_log" DROP COLUMN IF EXISTS "alg"`);
  }
}
