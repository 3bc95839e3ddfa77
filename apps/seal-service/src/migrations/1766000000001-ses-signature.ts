import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SM2 seals carry a GB/T 38540 SES_Signature with the CMS (issue 11): a deferred session keeps its
 * TBS_Sign (the UKey's second data-to-sign), and ecert's record of a signature names the
 * SES_Signature it embedded (SHA-256), so the audit trail holds both.
 */
export class SesSignature1766000000001 implements MigrationInterface {
  name = 'SesSignature1766000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "seal"."seal_session" ADD COLUMN "ses_data_to_sign" bytea, ADD COLUMN "ses_digest_to_sign" bytea`);
    await q.query(`ALTER TABLE "seal"."document_signature" ADD COLUMN "ses_sha256" text CHECK ("ses_sha256" ~ '^[0-9a-f]{64}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "seal"."document_signature" DROP COLUMN IF EXISTS "ses_sha256"`);
    await q.query(`ALTER TABLE "seal"."seal_session" DROP COLUMN IF EXISTS "ses_data_to_sign", DROP COLUMN IF EXISTS "ses_digest_to_sign"`);
  }
}
