import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 'ses-signature' row of a platform-held key's use names the seal it signed with (its esID
 * and the SHA-256 of its SES_SealInfo, the bytes the maker signed): the audit trail then ties
 * each SES_Signature to a seal on the maker's record.
 */
export class PlatformKeySesSeal1766000000100 implements MigrationInterface {
  name = 'PlatformKeySesSeal1766000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."platform_key_use" ADD COLUMN "es_id" text, ADD COLUMN "seal_info_sha256" text CHECK ("seal_info_sha256" ~ '^[0-9a-f]{64}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."platform_key_use" DROP COLUMN IF EXISTS "es_id", DROP COLUMN IF EXISTS "seal_info_sha256"`);
  }
}
