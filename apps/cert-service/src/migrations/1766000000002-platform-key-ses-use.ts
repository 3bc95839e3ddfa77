import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A platform-held SM2 key signs the GB/T 38540 TBS_Sign of its seal next to the CMS signed
 * attributes (issue 11, the SES_Signature): that signature is recorded too, as purpose
 * 'ses-signature' (message_digest = the TBS_Sign's dataHash).
 */
export class PlatformKeySesUse1766000000002 implements MigrationInterface {
  name = 'PlatformKeySesUse1766000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."platform_key_use" DROP CONSTRAINT IF EXISTS "platform_key_use_purpose_check"`);
    await q.query(`ALTER TABLE "cert"."platform_key_use" ADD CONSTRAINT "platform_key_use_purpose_check" CHECK ("purpose" IN ('document', 'ses-signature'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "cert"."platform_key_use" WHERE "purpose" = 'ses-signature'`);
    await q.query(`ALTER TABLE "cert"."platform_key_use" DROP CONSTRAINT IF EXISTS "platform_key_use_purpose_check"`);
    await q.query(`ALTER TABLE "cert"."platform_key_use" ADD CONSTRAINT "platform_key_use_purpose_check" CHECK ("purpose" IN ('document'))`);
  }
}
