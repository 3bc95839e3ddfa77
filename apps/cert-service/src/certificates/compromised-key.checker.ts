import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { DATA_SOURCE } from '@ecert/messaging';
import { KEY_COMPROMISE_REASONS, publicKeyFingerprint } from '@ecert/pki';

/**
 * A key whose certificate was revoked for keyCompromise (or, for a CA-held certificate,
 * cACompromise) is known to others: certifying it again
 * (a new issuance or a renewal) would hand its thief a fresh certificate. Keys are matched by
 * fingerprint (SHA-256 of the canonical SPKI), so a re-encoded key is the same key.
 */
@Injectable()
export class CompromisedKeyChecker {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** Throws a 400 problem on `field` for a compromised key; returns the key's fingerprint (`fingerprint`, when the caller has it) otherwise. */
  async assertNotCompromised(spki: Uint8Array, field = 'csr', fingerprint = publicKeyFingerprint(spki)): Promise<string> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM "cert"."certificate" WHERE spki_sha256 = $1 AND status IN ('revoked','invalid') AND revocation_reason = 'keyCompromise'
       UNION ALL
       SELECT 1 FROM "cert"."ca_revocation" WHERE spki_sha256 = $1 AND reason = ANY($2)
       LIMIT 1`,
      [fingerprint, KEY_COMPROMISE_REASONS],
    );
    if (rows.length) throw keyCompromised(field);
    return fingerprint;
  }
}

/** The refusal of a key known to be compromised. No serial in it: the earlier certificate may belong to another region's records. */
export function keyCompromised(field = 'csr'): ProblemError {
  return new ProblemError(400, ProblemCode.keyCompromised, '密钥已泄露，不能再次签发 (key compromised)', 'a certificate for this key was revoked for keyCompromise: generate a new key pair and a new CSR', field);
}
