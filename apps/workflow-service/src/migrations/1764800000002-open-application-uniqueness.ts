import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One open application per target certificate counts from submission, not from the draft (a draft
 * nobody submits must not block the unit's real application), and never holds up a report of loss:
 * a lost key is reported whatever else is open about it.
 */
export class OpenApplicationUniqueness1764800000002 implements MigrationInterface {
  name = 'OpenApplicationUniqueness1764800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "workflow"."application_open_target_uq"`);
    await q.query(
      `CREATE UNIQUE INDEX "application_open_target_uq" ON "workflow"."application" ("target_serial")
        WHERE "closed_at" IS NULL AND "target_serial" IS NOT NULL AND "status" <> 'draft' AND "type" <> 'report_loss'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "workflow"."application_open_target_uq"`);
    await q.query(`CREATE UNIQUE INDEX "application_open_target_uq" ON "workflow"."application" ("target_serial") WHERE "closed_at" IS NULL AND "target_serial" IS NOT NULL`);
  }
}
