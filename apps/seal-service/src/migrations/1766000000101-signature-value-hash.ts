import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ecert's record of a signature also names its SignerInfo signature value (SHA-256): the CMS hash
 * changes when unsigned attributes are added, swapped or stripped (an SES_Signature, a timestamp),
 * the signature value does not, so verification still finds the record and sees what changed.
 * Records written before have none (they are found by the CMS hash only).
 */
export class SignatureValueHash1766000000101 implements MigrationInterface {
  name = 'SignatureValueHash1766000000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "seal"."document_signature" ADD COLUMN "signature_value_sha256" text CHECK ("signature_value_sha256" ~ '^[0-9a-f]{64}$')`);
    await q.query(`CREATE INDEX "document_signature_signature_value_idx" ON "seal"."document_signature" ("signature_value_sha256")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "seal"."document_signature_signature_value_idx"`);
    await q.query(`ALTER TABLE "seal"."document_signature" DROP COLUMN IF EXISTS "signature_value_sha256"`);
  }
}
