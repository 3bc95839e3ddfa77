import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cert.issuance_guard`: what an issuance must hold before its rows are written — the account's
 * lock, room under the account's limit, a key not revoked for compromise — as one function the
 * issuance's INSERT statement reads first (issued-certificate.writer.ts), so an issuance is one
 * round trip instead of six (BEGIN, the key check, the lock, the count, the insert, COMMIT).
 *
 * PL/pgSQL because of READ COMMITTED: a statement's snapshot is taken when it starts, before a lock
 * it then waits for, so a count in the INSERT itself could miss the certificate of the issuance it
 * waited behind. Each statement of a VOLATILE function takes a fresh snapshot: the count runs after
 * the lock is held and sees every issuance that committed before it. The lock is the transaction's
 * (pg_advisory_xact_lock), held until the statement's own commit. Refusals are raised with their own
 * SQLSTATEs (class EC), mapped back to the API's problems by the writer; nothing is written.
 */
export class IssuanceGuard1766400000001 implements MigrationInterface {
  name = 'IssuanceGuard1766400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION "cert"."issuance_guard"(
        p_lock_key text, p_uscc text, p_account_no text, p_limit int, p_spki_sha256 text, p_compromise_reasons text[]
      ) RETURNS boolean LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog AS $fn$
      DECLARE
        n int;
      BEGIN
        IF EXISTS (SELECT 1 FROM "cert"."certificate" WHERE spki_sha256 = p_spki_sha256 AND status IN ('revoked','invalid') AND revocation_reason = 'keyCompromise')
           OR EXISTS (SELECT 1 FROM "cert"."ca_revocation" WHERE spki_sha256 = p_spki_sha256 AND reason = ANY(p_compromise_reasons)) THEN
          RAISE EXCEPTION 'key compromised' USING ERRCODE = 'EC001';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext(p_lock_key));
        IF p_limit IS NOT NULL THEN
          SELECT count(*)::int INTO n FROM "cert"."certificate"
           WHERE uscc = p_uscc AND account_no = p_account_no AND profile = 'unit' AND status IN ('active','frozen') AND not_after > now();
          IF n >= p_limit THEN
            RAISE EXCEPTION 'account limit reached' USING ERRCODE = 'EC002', DETAIL = n::text;
          END IF;
        END IF;
        RETURN true;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS "cert"."issuance_guard"(text, text, text, int, text, text[])`);
  }
}
