import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cert.discarded_certificate`: certificates the issuing CA signed that were then refused and never
 * stored nor returned (the account full, the key compromised — both judged after signing, in the
 * statement that writes —, a concurrent retry that won, a failure of the transaction). An HSM's
 * audit log lists every signature its key made; with this table each certificate it signed matches a
 * row: in cert.certificate, cert.ca (the CA-held ones), or here. The TBS is kept so whatever digest the HSM
 * logged (SHA-256 of it, SM3 with Z) can be recomputed; never the signature, so a row is not a
 * certificate anyone could use.
 */
export class DiscardedCertificates1766500000001 implements MigrationInterface {
  name = 'DiscardedCertificates1766500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "cert"."discarded_certificate" (
      "serial" text PRIMARY KEY,
      "ca_id" text NOT NULL,
      "command" text NOT NULL,
      "reason" text NOT NULL,
      "region_code" text NOT NULL,
      "detail" text,
      "tbs_der" bytea NOT NULL,
      "tbs_sha256" text NOT NULL,
      "certificate_sha256" text NOT NULL,
      "signed_digest" text,
      "signed_digest_algorithm" text,
      "request_id" text,
      "client_id" text,
      "actor" text,
      "signed_at" timestamptz NOT NULL,
      "at" timestamptz NOT NULL DEFAULT now()
    )`);
    // The list's order (newest first) with and without a CA filter.
    await q.query(`CREATE INDEX "discarded_certificate_signed_idx" ON "cert"."discarded_certificate" ("signed_at" DESC, "serial" DESC)`);
    await q.query(`CREATE INDEX "discarded_certificate_ca_signed_idx" ON "cert"."discarded_certificate" ("ca_id", "signed_at" DESC, "serial" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "cert"."discarded_certificate"`);
  }
}
