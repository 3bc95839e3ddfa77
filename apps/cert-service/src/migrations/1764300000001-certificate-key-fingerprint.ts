import type { MigrationInterface, QueryRunner } from 'typeorm';
import { certificateFields, publicKeyFingerprint } from '@ecert/pki';

const BATCH = 500;

/**
 * Every certificate row names its key (publicKeyFingerprint: SHA-256 of the canonical SPKI DER),
 * so a CSR for a key whose certificate was revoked for keyCompromise can be found and refused.
 * Existing rows are filled from their DER; a row whose DER cannot be read stays null.
 */
export class CertificateKeyFingerprint1764300000001 implements MigrationInterface {
  name = 'CertificateKeyFingerprint1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cert"."certificate" ADD COLUMN "spki_sha256" text`);
    let after = '';
    for (;;) {
      const rows: { serial: string; der: Buffer }[] = await q.query(
        `SELECT serial, der FROM "cert"."certificate" WHERE serial > $1 ORDER BY serial LIMIT ${BATCH}`,
        [after],
      );
      if (!rows.length) break;
      for (const r of rows) {
        let fingerprint: string | null = null;
        try {
          fingerprint = publicKeyFingerprint(certificateFields(new Uint8Array(r.der)).spki);
        } catch {
          /* unreadable DER: nothing to match against */
        }
        if (fingerprint) await q.query(`UPDATE "cert"."certificate" SET spki_sha256 = $2 WHERE serial = $1`, [r.serial, fingerprint]);
      }
      after = rows[rows.length - 1].serial;
    }
    await q.query(`CREATE INDEX "certificate_spki_sha256_idx" ON "cert"."certificate" ("spki_sha256")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "cert"."certificate_spki_sha256_idx"`);
    await q.query(`ALTER TABLE "cert"."certificate" DROP COLUMN IF EXISTS "spki_sha256"`);
  }
}
