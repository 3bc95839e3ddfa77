import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention in two phases: a sweep marks a content for removal in the transaction that purges its
 * last documents; its bytes are removed by a later step (after a grace period, references checked
 * again under the content lock), never inside the transaction whose commit could still fail.
 */
export class ContentRemoval1766000000102 implements MigrationInterface {
  name = 'ContentRemoval1766000000102';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "seal"."document_content_removal" (
      "sha256" text PRIMARY KEY CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
      "marked_at" timestamptz NOT NULL,
      "remove_after" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "document_content_removal_due_idx" ON "seal"."document_content_removal" ("remove_after")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "seal"."document_content_removal"`);
  }
}
