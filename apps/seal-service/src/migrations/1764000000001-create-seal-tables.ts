import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The seal domain: stored pictures, seals (with the DER SES_Seal as issued), their history, and the
 * last certificate status each bound certificate was seen in through the event stream.
 */
export class CreateSealTables1764000000001 implements MigrationInterface {
  name = 'CreateSealTables1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "seal"."seal_image" (
        "id" uuid PRIMARY KEY,
        "sha256" text NOT NULL,
        "png" bytea NOT NULL,
        "bytes" int NOT NULL,
        "width_px" int NOT NULL CHECK ("width_px" > 0),
        "height_px" int NOT NULL CHECK ("height_px" > 0),
        "width_mm" int NOT NULL CHECK ("width_mm" BETWEEN 1 AND 1000),
        "height_mm" int NOT NULL CHECK ("height_mm" BETWEEN 1 AND 1000),
        "source" text NOT NULL CHECK ("source" IN ('upload','scan','renewal')),
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "seal"."seal" (
        "id" uuid PRIMARY KEY,
        "es_id" text NOT NULL UNIQUE,
        "kind" text NOT NULL CHECK ("kind" IN ('official','department','branch','special','position','personal')),
        "purpose" text CHECK ("purpose" IN ('contract','finance','invoice','audit','customs')),
        "type_code" int NOT NULL,
        "name" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('active','suspended','revoked','retired')),
        "status_reason" text,
        "status_changed_at" timestamptz NOT NULL DEFAULT now(),
        "additional" boolean NOT NULL DEFAULT false,
        "additional_reason" text,
        "uscc" text NOT NULL,
        "unit_name" text NOT NULL,
        "region_code" text NOT NULL,
        "certificate_serial" text NOT NULL,
        "certificate_profile" text NOT NULL CHECK ("certificate_profile" IN ('unit','personal')),
        "certificate_not_after" timestamptz NOT NULL,
        "image_id" uuid NOT NULL REFERENCES "seal"."seal_image"("id"),
        "valid_from" timestamptz NOT NULL,
        "valid_to" timestamptz NOT NULL,
        "der" bytea NOT NULL,
        "der_sha256" text NOT NULL,
        "der_bytes" int NOT NULL,
        "replaces" uuid REFERENCES "seal"."seal"("id"),
        "replaced_by" uuid REFERENCES "seal"."seal"("id"),
        "created_by" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CHECK (("kind" = 'special') = ("purpose" IS NOT NULL)),
        CHECK (NOT "additional" OR "additional_reason" IS NOT NULL),
        CHECK ("valid_from" < "valid_to")
      )`);
    // One official seal per unit unless flagged additional: the database settles concurrent creations.
    await q.query(`
      CREATE UNIQUE INDEX "seal_one_official_per_unit" ON "seal"."seal" ("uscc")
      WHERE "kind" = 'official' AND NOT "additional" AND "status" IN ('active','suspended')`);
    await q.query(`CREATE INDEX "seal_certificate_idx" ON "seal"."seal" ("certificate_serial")`);
    await q.query(`CREATE INDEX "seal_unit_idx" ON "seal"."seal" ("uscc", "kind", "status")`);
    await q.query(`CREATE INDEX "seal_created_idx" ON "seal"."seal" ("created_at" DESC, "id")`);
    await q.query(`
      CREATE TABLE "seal"."seal_history" (
        "id" bigserial PRIMARY KEY,
        "seal_id" uuid NOT NULL REFERENCES "seal"."seal"("id"),
        "action" text NOT NULL,
        "from_status" text,
        "to_status" text NOT NULL,
        "reason" text,
        "event_id" uuid,
        "request_id" text,
        "actor" text,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "seal_history_seal_idx" ON "seal"."seal_history" ("seal_id", "id")`);
    await q.query(`
      CREATE TABLE "seal"."certificate_state" (
        "serial" text PRIMARY KEY,
        "status" text NOT NULL,
        "event_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "occurred_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "seal"."certificate_state"`);
    await q.query(`DROP TABLE IF EXISTS "seal"."seal_history"`);
    await q.query(`DROP TABLE IF EXISTS "seal"."seal"`);
    await q.query(`DROP TABLE IF EXISTS "seal"."seal_image"`);
  }
}
