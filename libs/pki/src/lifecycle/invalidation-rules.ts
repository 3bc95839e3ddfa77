import type { InvalidationReason } from '@ecert/contracts';
import type { ReasonCode } from '../revocation/revocation-reason';
import type { StoredCertificateStatus } from './certificate-lifecycle';

/**
 * 第二十条: a certificate whose UKey was reported lost or damaged, or which expired, and was not
 * dealt with within two years — or which is in normal state with no activity for two years —
 * becomes invalid (失效) and goes on the invalid list. The database scan (cert-service
 * batch/invalidation) applies the same rule set-based; this is its definition, unit tested.
 */
export const INVALIDATION_YEARS = 2;

/** The instant two calendar years before `now` (29 February → 28 February). */
export function invalidationCutoff(now: Date): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCFullYear(d.getUTCFullYear() - INVALIDATION_YEARS, d.getUTCMonth(), 1);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** What the rule looks at of one certificate. */
export interface InvalidationFacts {
  status: StoredCertificateStatus;
  notBefore: Date;
  notAfter: Date;
  /** The last use the platform saw; null = none since issuance (issuance starts the clock). */
  lastActivityAt: Date | null;
  /** When it was frozen (挂失), if it is. */
  frozenAt: Date | null;
  /** When its UKey was reported damaged, if the UKey is still damaged (or handed back) and nothing replaced it. */
  ukeyDamagedAt?: Date | null;
}

/**
 * Why the certificate is invalid at `now`, or undefined. Cases in order of precedence: a loss left
 * unresolved says more than the expiry or idleness that follow from it, and an expiry more than
 * idleness (an expired certificate cannot be used, so it is idle anyway).
 */
export function invalidationReasonOf(f: InvalidationFacts, now: Date): InvalidationReason | undefined {
  if (f.status !== 'active' && f.status !== 'frozen') return undefined;
  const cutoff = invalidationCutoff(now).getTime();
  if (f.status === 'frozen' && f.frozenAt && f.frozenAt.getTime() <= cutoff) return 'lost_unresolved';
  if (f.status === 'active' && f.ukeyDamagedAt && f.ukeyDamagedAt.getTime() <= cutoff) return 'damaged_unresolved';
  if (f.notAfter.getTime() <= cutoff) return 'expired_unresolved';
  if (f.status === 'active' && f.notAfter.getTime() > now.getTime() && lastActivityOf(f).getTime() <= cutoff) return 'idle';
  return undefined;
}

/** The last activity, issuance when there was none. */
export function lastActivityOf(f: Pick<InvalidationFacts, 'notBefore' | 'lastActivityAt'>): Date {
  return f.lastActivityAt && f.lastActivityAt > f.notBefore ? f.lastActivityAt : f.notBefore;
}

/**
 * The RFC 5280 reason an invalid certificate is revoked with for relying parties: a key out of its
 * holder's hands for two years is treated as compromised; otherwise the certificate is simply no
 * longer used for what it was issued for.
 */
export const INVALIDATION_REVOCATION_REASON: Readonly<Record<InvalidationReason, Exclude<ReasonCode, 'removeFromCRL' | 'certificateHold'>>> = {
  lost_unresolved: 'keyCompromise',
  damaged_unresolved: 'cessationOfOperation',
  expired_unresolved: 'cessationOfOperation',
  idle: 'cessationOfOperation',
};
