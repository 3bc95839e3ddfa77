/**
 * Revoking a CA-held certificate (issuing CA, OCSP signer, seal maker) and what it does to the
 * hierarchy. Pure rules; the cert-service records, publishes and enforces them.
 */
export type CaCertificateRole = 'root' | 'issuing' | 'ocsp' | 'seal-maker';

/** RFC 5280 reasons that make sense for a CA certificate (cACompromise: the CA's own key is out). */
export const CA_REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;
export type CaRevocationReason = (typeof CA_REVOCATION_REASONS)[number];

/** Reasons that say the certified key is known to others: it must never be certified again. */
export const KEY_COMPROMISE_REASONS: readonly string[] = ['keyCompromise', 'cACompromise'];

export type CaRevocationPlan =
  | {
      ok: true;
      reason: CaRevocationReason;
      /** ca:init makes a new certificate and key for the role (OCSP signer, seal maker). */
      replacedAtInit: boolean;
      /** Every CA below it stops signing too (issuing CA: its OCSP signer and seal maker). */
      stopsSubordinates: boolean;
    }
  | { ok: false; status: 400 | 409; field?: string; message: string };

export function planCaRevocation(role: CaCertificateRole, reason: unknown, alreadyRevoked: boolean): CaRevocationPlan {
  if (role === 'root') {
    // Nothing above a root can list it: a root leaves service by leaving the relying parties' trust stores.
    return { ok: false, status: 400, field: 'caId', message: 'a root CA cannot be revoked; remove it from the trust stores instead' };
  }
  const r = reason ?? 'unspecified';
  if (typeof r !== 'string' || !(CA_REVOCATION_REASONS as readonly string[]).includes(r)) {
    return { ok: false, status: 400, field: 'reason', message: `reason must be one of ${CA_REVOCATION_REASONS.join(', ')}` };
  }
  if (alreadyRevoked) return { ok: false, status: 409, message: 'this CA certificate is already revoked' };
  return { ok: true, reason: r as CaRevocationReason, replacedAtInit: role === 'ocsp' || role === 'seal-maker', stopsSubordinates: role === 'issuing' };
}

/**
 * The first CA in `chain` (the CA itself first, up to its root) whose certificate is revoked, or
 * undefined: a CA signs nothing once it or any CA above it is revoked.
 */
export function firstRevokedInChain<T extends { revoked: boolean }>(chain: readonly T[]): T | undefined {
  return chain.find((c) => c.revoked);
}
