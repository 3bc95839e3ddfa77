/**
 * The life of an issued certificate as the CA records it. `expired` is not stored: it is what an
 * active or frozen certificate becomes when its notAfter passes, so it is derived at read time.
 * `invalid` (失效, 第二十条) is revoked for relying parties and final: no action leaves it.
 */
export type StoredCertificateStatus = 'active' | 'frozen' | 'revoked' | 'invalid';
export type CertificateStatusView = StoredCertificateStatus | 'expired';

/**
 * Whether relying parties must treat a certificate in this status as revoked: revoked, and
 * invalid (失效, 第二十条: on the CRL and in OCSP as revoked, for good). Every `=== 'revoked'`
 * that means "no longer vouched for" asks this instead, so `invalid` is never forgotten.
 */
export function isRevokedForRelyingParties(status: string): boolean {
  return status === 'revoked' || status === 'invalid';
}

export type LifecycleAction = 'freeze' | 'unfreeze' | 'revoke' | 'renew';

const TRANSITIONS: Record<LifecycleAction, { from: StoredCertificateStatus[]; to: StoredCertificateStatus }> = {
  // 挂失: the certificate stops being trusted at once, reversibly (certificateHold).
  freeze: { from: ['active'], to: 'frozen' },
  // 挂失恢复: only a frozen certificate can be restored.
  unfreeze: { from: ['frozen'], to: 'active' },
  // 吊销/注销: permanent, from either live state.
  revoke: { from: ['active', 'frozen'], to: 'revoked' },
  // 更新: the old certificate ends as revoked (superseded) once its successor exists.
  renew: { from: ['active'], to: 'revoked' },
};

export type TransitionResult =
  | { ok: true; to: StoredCertificateStatus }
  | { ok: false; reason: 'illegal' | 'expired'; message: string };

export function effectiveStatus(stored: StoredCertificateStatus, notAfter: Date, now = new Date()): CertificateStatusView {
  if (stored !== 'revoked' && stored !== 'invalid' && notAfter.getTime() <= now.getTime()) return 'expired';
  return stored;
}

const ACTION_NAMES: Record<LifecycleAction, string> = {
  freeze: '挂失 (freeze)',
  unfreeze: '挂失恢复 (unfreeze)',
  revoke: '吊销 (revoke)',
  renew: '更新 (renew)',
};

export function planTransition(action: LifecycleAction, stored: StoredCertificateStatus, notAfter: Date, now = new Date()): TransitionResult {
  const status = effectiveStatus(stored, notAfter, now);
  if (status === 'expired') {
    return { ok: false, reason: 'expired', message: `${ACTION_NAMES[action]} is not possible: the certificate expired on ${notAfter.toISOString()}` };
  }
  const t = TRANSITIONS[action];
  if (!t.from.includes(stored)) {
    return { ok: false, reason: 'illegal', message: `${ACTION_NAMES[action]} is not allowed for a certificate that is ${stored} (allowed from: ${t.from.join(', ')})` };
  }
  return { ok: true, to: t.to };
}

/** Unit and personal certificate limit per social-insurance account (第九条: 1st to 4th certificate). */
export const MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT = 4;
