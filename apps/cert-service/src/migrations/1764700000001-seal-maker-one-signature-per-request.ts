import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One seal-creation request of the gateway, one seal: the digest of the gateway token behind each
 * 'create' signature is kept and unique, so a forwarded token cannot be replayed for more seals.
 */
export class SealMakerOneSignaturePerRequest1764700000001 implements MigrationInterface {
  name = 'SealMakerOneSignaturePerRequest1764700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."seal_maker_signature" ADD COLUMN "gateway_request" text`);
    await q.query(`CREATE UNIQUE INDEX "seal_maker_signature_one_per_request" ON "cert"."seal_maker_signature" ("gateway_request") WHERE "purpose" = 'create'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "cert"."seal_maker_signature_one_per_request"`);
    await q.query(`ALTER TABLE "cert"."seal_maker_signature" DROP COLUMN IF EXISTS "gateway_request"`);
  }
}
