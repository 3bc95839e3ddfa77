import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The record of every seal-maker signature (SealMakerSignatureEntity). */
export class SealMakerSignatures1764600000001 implements MigrationInterface {
  name = 'SealMakerSignatures1764600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "cert"."seal_maker_signature" (
        "id" bigserial PRIMARY KEY,
        "seal_id" uuid NOT NULL,
        "es_id" text NOT NULL,
        "certificate_serial" text NOT NULL,
        "uscc" text NOT NULL,
        "account_no" text NOT NULL,
        "purpose" text NOT NULL CHECK ("purpose" IN ('create','renewal')),
        "maker_ca_id" text NOT NULL,
        "maker_serial" text NOT NULL,
        "seal_info_sha256" text NOT NULL,
        "request_id" text,
        "client_id" text,
        "actor" text,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "seal_maker_signature_certificate_idx" ON "cert"."seal_maker_signature" ("certificate_serial")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "cert"."seal_maker_signature"`);
  }
}
