import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The handler-contact lookup by serial: completed applications that issued or serviced a certificate. */
export class HandlerContactLookup1766200000101 implements MigrationInterface {
  name = 'HandlerContactLookup1766200000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "application_completed_issued_serial_idx" ON "workflow"."application" ((results->>'certificateSerial')) WHERE "status" = 'completed'`);
    await q.query(`CREATE INDEX "application_completed_target_serial_idx" ON "workflow"."application" ("target_serial") WHERE "status" = 'completed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "workflow"."application_completed_target_serial_idx"`);
    await q.query(`DROP INDEX IF EXISTS "workflow"."application_completed_issued_serial_idx"`);
  }
}
