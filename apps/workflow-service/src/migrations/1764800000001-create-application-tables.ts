import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Applications and everything that happens to them: materials (bytes in the document store, by
 * SHA-256), decisions per tier, the steps that carry them out, a timeline, and the operator's
 * calendar years.
 */
export class CreateApplicationTables1764800000001 implements MigrationInterface {
  name = 'CreateApplicationTables1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow"."application" (
        "id" uuid PRIMARY KEY,
        "type" text NOT NULL,
        "channel" text NOT NULL,
        "status" text NOT NULL,
        "tier" text,
        "route" jsonb NOT NULL,
        "uscc" text NOT NULL,
        "account_no" text NOT NULL,
        "region_code" text NOT NULL,
        "unit" jsonb NOT NULL,
        "handler" jsonb NOT NULL,
        "handler_id_hash" text NOT NULL,
        "seals" jsonb NOT NULL DEFAULT '[]',
        "target_serial" text,
        "target_ukey_serial" text,
        "details" jsonb NOT NULL DEFAULT '{}',
        "filed_by_client" text,
        "filed_by_staff" text,
        "filed_by_role" text,
        "limit_working_days" int NOT NULL,
        "accepted_at" timestamptz,
        "tier_entered_at" timestamptz,
        "due_at" timestamptz,
        "step_due_at" timestamptz,
        "pauses" jsonb NOT NULL DEFAULT '[]',
        "closed_at" timestamptz,
        "production" jsonb,
        "results" jsonb NOT NULL DEFAULT '{}',
        "attention" jsonb,
        "rejection" jsonb,
        "returned" jsonb,
        "version" int NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "application_region_status_idx" ON "workflow"."application" ("region_code", "status")`);
    await q.query(`CREATE INDEX "application_uscc_idx" ON "workflow"."application" ("uscc", "account_no")`);
    await q.query(`CREATE INDEX "application_open_due_idx" ON "workflow"."application" ("due_at") WHERE "closed_at" IS NULL`);
    // One open application of a kind per target certificate: two reissues of one lost key cannot both run.
    await q.query(`CREATE UNIQUE INDEX "application_open_target_uq" ON "workflow"."application" ("target_serial") WHERE "closed_at" IS NULL AND "target_serial" IS NOT NULL`);
    await q.query(`
      CREATE TABLE "workflow"."application_material" (
        "id" uuid PRIMARY KEY,
        "application_id" uuid NOT NULL REFERENCES "workflow"."application"("id"),
        "kind" text NOT NULL,
        "sha256" text NOT NULL,
        "media_type" text NOT NULL,
        "size" int NOT NULL,
        "file_name" text,
        "attached_by" jsonb NOT NULL,
        "attached_at" timestamptz NOT NULL DEFAULT now(),
        UNIQUE ("application_id", "kind", "sha256")
      )`);
    await q.query(`
      CREATE TABLE "workflow"."application_decision" (
        "id" uuid PRIMARY KEY,
        "application_id" uuid NOT NULL REFERENCES "workflow"."application"("id"),
        "tier" text NOT NULL,
        "decision" text NOT NULL,
        "reason" text,
        "missing" jsonb,
        "staff_id" text,
        "client_id" text,
        "role" text,
        "materials_seen" jsonb NOT NULL,
        "decided_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "application_decision_app_idx" ON "workflow"."application_decision" ("application_id")`);
    await q.query(`
      CREATE TABLE "workflow"."application_step" (
        "application_id" uuid NOT NULL REFERENCES "workflow"."application"("id"),
        "seq" int NOT NULL,
        "name" text NOT NULL,
        "phase" text NOT NULL,
        "status" text NOT NULL,
        "attempts" int NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz,
        "last_error" text,
        "result" jsonb,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("application_id", "seq")
      )`);
    await q.query(`CREATE INDEX "application_step_due_idx" ON "workflow"."application_step" ("next_attempt_at") WHERE "status" IN ('pending', 'running')`);
    await q.query(`
      CREATE TABLE "workflow"."application_timeline" (
        "id" bigserial PRIMARY KEY,
        "application_id" uuid NOT NULL REFERENCES "workflow"."application"("id"),
        "at" timestamptz NOT NULL DEFAULT now(),
        "what" text NOT NULL,
        "by" jsonb,
        "detail" jsonb
      )`);
    await q.query(`CREATE INDEX "application_timeline_app_idx" ON "workflow"."application_timeline" ("application_id", "id")`);
    await q.query(`
      CREATE TABLE "workflow"."calendar_override" (
        "year" int PRIMARY KEY,
        "holidays" jsonb NOT NULL,
        "workdays" jsonb NOT NULL,
        "source" text,
        "loaded_by" text,
        "loaded_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['calendar_override', 'application_timeline', 'application_step', 'application_decision', 'application_material', 'application']) {
      await q.query(`DROP TABLE IF EXISTS "workflow"."${t}"`);
    }
  }
}
