import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitGatewaySchema1763900000003 implements MigrationInterface {
  name = 'InitGatewaySchema1763900000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway"."client" (
        "id" uuid PRIMARY KEY,
        "name" text NOT NULL,
        "department" text NOT NULL,
        "operations" text[] NOT NULL,
        "region_codes" text[],
        "status" text NOT NULL DEFAULT 'enabled' CHECK ("status" IN ('enabled','disabled')),
        "rate_limit_per_second" int NOT NULL DEFAULT 500,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "gateway"."client_credential" (
        "id" text PRIMARY KEY,
        "client_id" uuid NOT NULL REFERENCES "gateway"."client"("id"),
        "kind" text NOT NULL CHECK ("kind" IN ('api_key','certificate')),
        "secret_hash" text,
        "certificate_fingerprint" text UNIQUE,
        "certificate_serial" text,
        "expires_at" timestamptz,
        "revoked_at" timestamptz,
        "last_used_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "client_credential_client_idx" ON "gateway"."client_credential" ("client_id")`);
    await q.query(`
      CREATE TABLE "gateway"."staff" (
        "id" uuid PRIMARY KEY,
        "name" text NOT NULL,
        "role" text NOT NULL CHECK ("role" IN ('county_acceptor','city_reviewer','province_approver','ca_operator','auditor','admin')),
        "region_code" text NOT NULL,
        "status" text NOT NULL DEFAULT 'enabled' CHECK ("status" IN ('enabled','disabled')),
        "last_login_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "gateway"."staff_certificate" (
        "serial" text PRIMARY KEY,
        "staff_id" uuid NOT NULL REFERENCES "gateway"."staff"("id"),
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "gateway"."audit_log" (
        "seq" bigint PRIMARY KEY,
        "at" timestamptz NOT NULL,
        "client_id" text,
        "staff_id" text,
        "action" text NOT NULL,
        "target" text,
        "outcome" text NOT NULL,
        "request_id" text,
        "details" jsonb NOT NULL,
        "prev_hash" char(64) NOT NULL,
        "hash" char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX "audit_log_at_idx" ON "gateway"."audit_log" ("at")`);
    await q.query(`CREATE INDEX "audit_log_action_idx" ON "gateway"."audit_log" ("action")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_log', 'staff_certificate', 'staff', 'client_credential', 'client']) await q.query(`DROP TABLE IF EXISTS "gateway"."${t}"`);
  }
}
