import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * certificate_state keeps the version of the newest certificate event applied (null for events
 * written before versions existed), so an older event delivered late changes nothing; refused
 * certificate events (a renewal onto another unit's certificate) are kept with the reason.
 */
export class CertificateEventOrder1764600000002 implements MigrationInterface {
  name = 'CertificateEventOrder1764600000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "seal"."certificate_state" ADD COLUMN "version" int`);
    await q.query(`
      CREATE TABLE "seal"."certificate_event_refusal" (
        "event_id" uuid PRIMARY KEY,
        "event_type" text NOT NULL,
        "serial" text NOT NULL,
        "reason" text NOT NULL,
        "payload" jsonb NOT NULL,
        "refused_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "certificate_event_refusal_serial_idx" ON "seal"."certificate_event_refusal" ("serial")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "seal"."certificate_event_refusal"`);
    await q.query(`ALTER TABLE "seal"."certificate_state" DROP COLUMN IF EXISTS "version"`);
  }
}
