import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform-held keys (issue 11 §2): the offices' own seal keys generated in the key store, the
 * certificate flag that says so, and the record of every signature made with one.
 */
export class PlatformKeys1765200000001 implements MigrationInterface {
  name = 'PlatformKeys1765200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "platform_held" boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE "cert"."platform_key" (
        "serial" text PRIMARY KEY REFERENCES "cert"."certificate" ("serial"),
        "key_id" text NOT NULL UNIQUE,
        "key_store" text NOT NULL CHECK ("key_store" IN ('soft','pkcs11')),
        "algorithm" text NOT NULL CHECK ("algorithm" IN ('EC-P256','SM2','RSA-2048')),
        "created_by" text,
        "request_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "cert"."platform_key_use" (
        "id" bigserial PRIMARY KEY,
        "serial" text NOT NULL REFERENCES "cert"."platform_key" ("serial"),
        "purpose" text NOT NULL CHECK ("purpose" IN ('document')),
        "data_sha256" text NOT NULL,
        "message_digest" text NOT NULL,
        "request_id" text,
        "client_id" text,
        "actor" text,
        "gateway_request" text,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "platform_key_use_serial_idx" ON "cert"."platform_key_use" ("serial", "at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "cert"."platform_key_use"`);
    await q.query(`DROP TABLE IF EXISTS "cert"."platform_key"`);
    await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "platform_held"`);
  }
}
