import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATES = ['in_stock', 'assigned', 'initialised', 'dispatched', 'at_office', 'collected', 'in_use', 'suspended', 'perm_lost', 'damaged', 'returned', 'terminated'];
const list = (values: string[]) => values.map((v) => `'${v}'`).join(',');

/**
 * UKeys (issue 10): the inventory and lifecycle of the media, their history, the dispatch
 * batches to the city offices, the SO PIN releases (the PINs themselves are derived, never
 * stored), idempotency receipts of their commands, and the UKey each certificate is on.
 */
export class Ukeys1765100000001 implements MigrationInterface {
  name = 'Ukeys1765100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "cert"."ukey_dispatch_batch" (
        "id" uuid PRIMARY KEY,
        "office_region_code" text NOT NULL CHECK ("office_region_code" ~ '^[0-9]{6}$'),
        "serials" text[] NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "created_by" text,
        "created_client_id" text,
        "received_at" timestamptz,
        "received_by" text
      )`);
    await q.query(`CREATE INDEX "ukey_dispatch_batch_office_idx" ON "cert"."ukey_dispatch_batch" ("office_region_code")`);
    await q.query(`
      CREATE TABLE "cert"."ukey" (
        "serial" text PRIMARY KEY CHECK ("serial" ~ '^[0-9A-Za-z-]{4,64}$'),
        "vendor" text NOT NULL,
        "model" text NOT NULL,
        "batch" text NOT NULL,
        "delivered_on" date NOT NULL,
        "state" text NOT NULL CHECK ("state" IN (${list(STATES)})),
        "office_region_code" text,
        "application_id" uuid,
        "uscc" text,
        "account_no" text,
        "region_code" text,
        "collected_at" timestamptz,
        "collector" jsonb,
        "warranty_until" date,
        "dispatch_batch_id" uuid REFERENCES "cert"."ukey_dispatch_batch"("id"),
        "damage" jsonb,
        "so_pin_generation" int NOT NULL DEFAULT 0 CHECK ("so_pin_generation" >= 0),
        "version" int NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CHECK ("state" IN ('in_stock') OR "application_id" IS NOT NULL)
      )`);
    for (const [name, cols] of [
      ['ukey_state_idx', '"state"'],
      ['ukey_office_region_idx', '"office_region_code"'],
      ['ukey_region_idx', '"region_code"'],
      ['ukey_batch_idx', '"batch"'],
      ['ukey_uscc_idx', '"uscc"'],
      ['ukey_application_idx', '"application_id"'],
    ]) {
      await q.query(`CREATE INDEX "${name}" ON "cert"."ukey" (${cols})`);
    }
    await q.query(`
      CREATE TABLE "cert"."ukey_history" (
        "id" bigserial PRIMARY KEY,
        "serial" text NOT NULL REFERENCES "cert"."ukey"("serial"),
        "action" text NOT NULL,
        "from_state" text,
        "to_state" text NOT NULL,
        "reason" text,
        "detail" jsonb,
        "request_id" text,
        "client_id" text,
        "actor" text,
        "via" text,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "ukey_history_serial_idx" ON "cert"."ukey_history" ("serial", "id")`);
    await q.query(`
      CREATE TABLE "cert"."ukey_so_pin_release" (
        "id" bigserial PRIMARY KEY,
        "serial" text NOT NULL REFERENCES "cert"."ukey"("serial"),
        "application_id" uuid NOT NULL,
        "purpose" text NOT NULL CHECK ("purpose" IN ('production','unlock')),
        "generation" int NOT NULL CHECK ("generation" >= 0),
        "released_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "released_to" text NOT NULL,
        "client_id" text,
        "request_id" text,
        "confirmed_at" timestamptz,
        CONSTRAINT "ukey_so_pin_release_once" UNIQUE ("application_id", "serial", "purpose")
      )`);
    await q.query(`CREATE INDEX "ukey_so_pin_release_serial_idx" ON "cert"."ukey_so_pin_release" ("serial")`);
    await q.query(`
      CREATE TABLE "cert"."ukey_command_receipt" (
        "caller" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "command" text NOT NULL CHECK ("command" IN ('transition','collect')),
        "request_hash" text NOT NULL,
        "serial" text NOT NULL REFERENCES "cert"."ukey"("serial"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("caller", "idempotency_key")
      )`);
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "ukey_serial" text REFERENCES "cert"."ukey"("serial")`);
    await q.query(`CREATE INDEX "certificate_ukey_serial_idx" ON "cert"."certificate" ("ukey_serial") WHERE "ukey_serial" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "cert"."certificate_ukey_serial_idx"`);
    await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "ukey_serial"`);
    for (const t of ['ukey_command_receipt', 'ukey_so_pin_release', 'ukey_history', 'ukey', 'ukey_dispatch_batch']) {
      await q.query(`DROP TABLE IF EXISTS "cert"."${t}"`);
    }
  }
}
