import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sealing PDF documents (issue 11): registered documents (bytes in the document store), the rules of
 * use of each seal, seal-use requests and their decisions, deferred signing sessions, the
 * signatures ecert made (its proof of when it sealed what), and verification reports.
 */
export class DocumentTables1765200000001 implements MigrationInterface {
  name = 'DocumentTables1765200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "seal"."document" (
        "id" uuid PRIMARY KEY,
        "sha256" text NOT NULL CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
        "size" bigint NOT NULL CHECK ("size" > 0),
        "pages" int NOT NULL CHECK ("pages" > 0),
        "file_name" text,
        "uploaded_by_client" text,
        "uploaded_by_staff" text,
        "uploaded_at" timestamptz NOT NULL DEFAULT now(),
        "retained_until" timestamptz NOT NULL,
        "derived_from" uuid REFERENCES "seal"."document"("id"),
        "request_id" text,
        CHECK (("uploaded_by_client" IS NULL) <> ("uploaded_by_staff" IS NULL))
      )`);
    await q.query(`CREATE INDEX "document_sha256_idx" ON "seal"."document" ("sha256")`);
    await q.query(`CREATE INDEX "document_derived_from_idx" ON "seal"."document" ("derived_from")`);
    await q.query(`
      CREATE TABLE "seal"."seal_use_rule" (
        "seal_id" uuid PRIMARY KEY REFERENCES "seal"."seal"("id"),
        "user_staff_ids" text[] NOT NULL DEFAULT '{}',
        "user_client_ids" text[] NOT NULL DEFAULT '{}',
        "approver_staff_ids" text[] NOT NULL DEFAULT '{}',
        "approver_client_ids" text[] NOT NULL DEFAULT '{}',
        "approval_required" boolean NOT NULL,
        "version" int NOT NULL DEFAULT 1,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "updated_by_client" text,
        "updated_by_staff" text
      )`);
    await q.query(`
      CREATE TABLE "seal"."seal_use_request" (
        "id" uuid PRIMARY KEY,
        "seal_id" uuid NOT NULL REFERENCES "seal"."seal"("id"),
        "document_id" uuid NOT NULL REFERENCES "seal"."document"("id"),
        "document_sha256" text NOT NULL,
        "placements" jsonb NOT NULL,
        "purpose" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('pending','approved','rejected','used')),
        "requested_by_client" text,
        "requested_by_staff" text,
        "requested_at" timestamptz NOT NULL DEFAULT now(),
        "decision" text CHECK ("decision" IN ('approve','reject')),
        "decided_by_client" text,
        "decided_by_staff" text,
        "decided_by_rule" boolean NOT NULL DEFAULT false,
        "decision_reason" text,
        "decided_at" timestamptz,
        "expires_at" timestamptz,
        "used_at" timestamptz,
        "sealed_document_id" uuid REFERENCES "seal"."document"("id"),
        "request_id" text,
        CHECK (("requested_by_client" IS NULL) <> ("requested_by_staff" IS NULL)),
        CHECK ("status" <> 'approved' OR "expires_at" IS NOT NULL),
        CHECK (("status" = 'used') = ("used_at" IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX "seal_use_request_seal_idx" ON "seal"."seal_use_request" ("seal_id", "status")`);
    await q.query(`CREATE INDEX "seal_use_request_document_idx" ON "seal"."seal_use_request" ("document_sha256")`);
    await q.query(`
      CREATE TABLE "seal"."seal_session" (
        "id" uuid PRIMARY KEY,
        "seal_use_request_id" uuid NOT NULL REFERENCES "seal"."seal_use_request"("id"),
        "document_id" uuid NOT NULL REFERENCES "seal"."document"("id"),
        "seal_id" uuid NOT NULL REFERENCES "seal"."seal"("id"),
        "certificate_serial" text NOT NULL,
        "prepared_sha256" text NOT NULL,
        "byte_range" bigint[] NOT NULL,
        "contents_offset" bigint NOT NULL,
        "contents_length" int NOT NULL,
        "field_name" text NOT NULL,
        "family" text NOT NULL CHECK ("family" IN ('pades','gbt35275')),
        "sub_filter" text NOT NULL,
        "digest_algorithm" text NOT NULL CHECK ("digest_algorithm" IN ('sha256','sm3')),
        "signed_attributes" bytea NOT NULL,
        "data_to_sign" bytea NOT NULL,
        "digest_to_sign" bytea NOT NULL,
        "placements" jsonb NOT NULL,
        "created_by_client" text,
        "created_by_staff" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        "sealed_document_id" uuid REFERENCES "seal"."document"("id")
      )`);
    // One signature per seal-use request, ever: the database has the last word on "once".
    await q.query(`
      CREATE TABLE "seal"."document_signature" (
        "id" uuid PRIMARY KEY,
        "document_id" uuid NOT NULL UNIQUE REFERENCES "seal"."document"("id"),
        "source_document_id" uuid NOT NULL REFERENCES "seal"."document"("id"),
        "seal_id" uuid NOT NULL REFERENCES "seal"."seal"("id"),
        "seal_use_request_id" uuid NOT NULL UNIQUE REFERENCES "seal"."seal_use_request"("id"),
        "session_id" uuid REFERENCES "seal"."seal_session"("id"),
        "certificate_serial" text NOT NULL,
        "field_name" text NOT NULL,
        "family" text NOT NULL,
        "sub_filter" text NOT NULL,
        "mode" text NOT NULL CHECK ("mode" IN ('server','deferred')),
        "cms_sha256" text NOT NULL UNIQUE,
        "placements" jsonb NOT NULL,
        "sealed_at" timestamptz NOT NULL DEFAULT now(),
        "sealed_by_client" text,
        "sealed_by_staff" text,
        "request_id" text
      )`);
    await q.query(`
      CREATE TABLE "seal"."verification_report" (
        "id" uuid PRIMARY KEY,
        "document_sha256" text NOT NULL,
        "indication" text NOT NULL CHECK ("indication" IN ('TOTAL_PASSED','TOTAL_FAILED','INDETERMINATE')),
        "report" jsonb NOT NULL,
        "created_by_client" text,
        "created_by_staff" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['verification_report', 'document_signature', 'seal_session', 'seal_use_request', 'seal_use_rule', 'document']) {
      await q.query(`DROP TABLE IF EXISTS "seal"."${t}"`);
    }
  }
}
