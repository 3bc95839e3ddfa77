import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '@ecert/messaging';

export class InitCertSchema1763900000000 implements MigrationInterface {
  name = 'InitCertSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await createMessagingTables(q, 'cert');
    await q.query(`
      CREATE TABLE "cert"."ca_key_blob" (
        "id" text PRIMARY KEY,
        "blob" bytea NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "cert"."ca" (
        "id" text PRIMARY KEY,
        "family" text NOT NULL CHECK ("family" IN ('sm2','ecdsa','rsa')),
        "role" text NOT NULL CHECK ("role" IN ('root','issuing','ocsp','seal-maker')),
        "parent_id" text REFERENCES "cert"."ca"("id"),
        "key_id" text NOT NULL,
        "key_store" text NOT NULL,
        "key_algorithm" text NOT NULL,
        "certificate" bytea NOT NULL,
        "subject" text NOT NULL,
        "serial" text NOT NULL,
        "not_before" timestamptz NOT NULL,
        "not_after" timestamptz NOT NULL,
        "next_crl_number" bigint NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "cert"."certificate" (
        "serial" text PRIMARY KEY,
        "ca_id" text NOT NULL REFERENCES "cert"."ca"("id"),
        "profile" text NOT NULL CHECK ("profile" IN ('unit','personal')),
        "key_algorithm" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('active','frozen','revoked')),
        "subject" text NOT NULL,
        "uscc" text NOT NULL,
        "account_no" text NOT NULL,
        "region_code" text NOT NULL,
        "unit_name" text NOT NULL,
        "person_name" text,
        "person_id_masked" text,
        "not_before" timestamptz NOT NULL,
        "not_after" timestamptz NOT NULL,
        "der" bytea NOT NULL,
        "revoked_at" timestamptz,
        "revocation_reason" text,
        "frozen_at" timestamptz,
        "status_changed_at" timestamptz NOT NULL,
        "hold_listed_in_crl" bigint,
        "replaces" text,
        "replaced_by" text,
        "last_activity_at" timestamptz,
        "version" int NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "certificate_account_idx" ON "cert"."certificate" ("uscc", "account_no")`);
    await q.query(`CREATE INDEX "certificate_ca_status_idx" ON "cert"."certificate" ("ca_id", "status")`);
    await q.query(`CREATE INDEX "certificate_ca_changed_idx" ON "cert"."certificate" ("ca_id", "status_changed_at")`);
    await q.query(`
      CREATE TABLE "cert"."certificate_history" (
        "id" bigserial PRIMARY KEY,
        "serial" text NOT NULL,
        "action" text NOT NULL,
        "from_status" text,
        "to_status" text NOT NULL,
        "reason" text,
        "comment" text,
        "request_id" text,
        "client_id" text,
        "actor" text,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "certificate_history_serial_idx" ON "cert"."certificate_history" ("serial")`);
    await q.query(`
      CREATE TABLE "cert"."crl" (
        "id" bigserial PRIMARY KEY,
        "ca_id" text NOT NULL REFERENCES "cert"."ca"("id"),
        "number" bigint NOT NULL,
        "delta_base" bigint,
        "this_update" timestamptz NOT NULL,
        "next_update" timestamptz NOT NULL,
        "entry_count" int NOT NULL,
        "der" bytea NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX "crl_ca_number_uq" ON "cert"."crl" ("ca_id", "number")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['crl', 'certificate_history', 'certificate', 'ca', 'ca_key_blob']) await q.query(`DROP TABLE IF EXISTS "cert"."${t}"`);
    await dropMessagingTables(q, 'cert');
  }
}
