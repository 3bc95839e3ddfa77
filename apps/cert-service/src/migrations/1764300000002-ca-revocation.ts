import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revocations of CA-held certificates (issuing CA, OCSP signer, seal maker). A table of its own,
 * keyed by issuer and serial: the `ca` row of a role is overwritten when ca:init replaces the
 * certificate, and the revocation must outlive that for the issuer's CRL and OCSP to keep saying so.
 */
export class CaRevocation1764300000002 implements MigrationInterface {
  name = 'CaRevocation1764300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "cert"."ca_revocation" (
        "issuer_ca_id" text NOT NULL REFERENCES "cert"."ca"("id"),
        "serial" text NOT NULL,
        "ca_id" text NOT NULL,
        "role" text NOT NULL CHECK ("role" IN ('issuing','ocsp','seal-maker')),
        "subject" text NOT NULL,
        "certificate" bytea NOT NULL,
        "spki_sha256" text NOT NULL,
        "not_after" timestamptz NOT NULL,
        "revoked_at" timestamptz NOT NULL,
        "reason" text NOT NULL,
        "comment" text,
        "request_id" text,
        "client_id" text,
        "actor" text,
        PRIMARY KEY ("issuer_ca_id", "serial")
      )`);
    await q.query(`CREATE INDEX "ca_revocation_spki_sha256_idx" ON "cert"."ca_revocation" ("spki_sha256")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "cert"."ca_revocation"`);
  }
}
