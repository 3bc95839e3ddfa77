import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal certificates carry the salted hash of the resident ID instead of the number (see
 * docs/decisions.md, Personal data); the row keeps that hash beside the masked form, so renewal
 * never needs the number. Older rows stay null: renewal reads their (clear) number from the DER.
 */
export class PersonalIdHash1764300000000 implements MigrationInterface {
  name = 'PersonalIdHash1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "person_id_hash" text`);
    await q.query(`CREATE INDEX "certificate_person_id_hash_idx" ON "cert"."certificate" ("person_id_hash") WHERE "person_id_hash" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "cert"."certificate_person_id_hash_idx"`);
    await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "person_id_hash"`);
  }
}
