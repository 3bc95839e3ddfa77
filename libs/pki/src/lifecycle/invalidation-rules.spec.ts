import { describe, expect, it } from 'vitest';
import { invalidationCutoff, invalidationReasonOf, lastActivityOf, type InvalidationFacts } from './invalidation-rules';
import { effectiveStatus } from './certificate-lifecycle';

const now = new Date('2026-12-01T04:00:00Z');
const monthsAgo = (m: number) => {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - m);
  return d;
};
/** 23.5 months: setUTCMonth would truncate a fraction, so half a month is 15 days on top. */
const monthsAndAHalfAgo = (m: number) => new Date(monthsAgo(m).getTime() - 15 * 86_400_000);
const base: InvalidationFacts = {
  status: 'active',
  notBefore: monthsAgo(30),
  notAfter: monthsAgo(-6),
  lastActivityAt: null,
  frozenAt: null,
};

describe('第二十条 invalidation rule', () => {
  it('two calendar years, 29 February to 28 February', () => {
    expect(invalidationCutoff(now).toISOString()).toBe('2024-12-01T04:00:00.000Z');
    expect(invalidationCutoff(new Date('2028-02-29T01:00:00Z')).toISOString()).toBe('2026-02-28T01:00:00.000Z');
  });

  it('a certificate used once 23 months ago is not flagged, one idle 25 months is', () => {
    expect(invalidationReasonOf({ ...base, lastActivityAt: monthsAgo(23) }, now)).toBeUndefined();
    expect(invalidationReasonOf({ ...base, lastActivityAt: monthsAgo(25) }, now)).toBe('idle');
  });

  it('issuance starts the clock', () => {
    expect(invalidationReasonOf({ ...base, notBefore: monthsAgo(23) }, now)).toBeUndefined();
    expect(invalidationReasonOf({ ...base, notBefore: monthsAgo(25) }, now)).toBe('idle');
    expect(lastActivityOf({ notBefore: monthsAgo(5), lastActivityAt: monthsAgo(6) })).toEqual(monthsAgo(5));
    // an activity recorded before issuance (a wrong report) never ages a new certificate
    expect(invalidationReasonOf({ ...base, notBefore: monthsAgo(1), lastActivityAt: new Date('2020-01-01T00:00:00Z') }, now)).toBeUndefined();
  });

  it('exactly two years idle is flagged, a second less is not', () => {
    const cutoff = invalidationCutoff(now);
    expect(invalidationReasonOf({ ...base, lastActivityAt: cutoff }, now)).toBe('idle');
    expect(invalidationReasonOf({ ...base, lastActivityAt: new Date(cutoff.getTime() + 1000) }, now)).toBeUndefined();
  });

  it('a frozen (lost) one unresolved for two years is flagged lost_unresolved, even if it was used before', () => {
    expect(invalidationReasonOf({ ...base, status: 'frozen', frozenAt: monthsAgo(25), lastActivityAt: monthsAgo(26) }, now)).toBe('lost_unresolved');
    expect(invalidationReasonOf({ ...base, status: 'frozen', frozenAt: monthsAgo(23), lastActivityAt: monthsAgo(30) }, now)).toBeUndefined();
  });

  it('a damaged UKey left two years', () => {
    expect(invalidationReasonOf({ ...base, lastActivityAt: monthsAgo(1), ukeyDamagedAt: monthsAgo(25) }, now)).toBe('damaged_unresolved');
    expect(invalidationReasonOf({ ...base, lastActivityAt: monthsAgo(1), ukeyDamagedAt: monthsAgo(23) }, now)).toBeUndefined();
  });

  it('expired two years ago without renewal; a recent expiry is not', () => {
    expect(invalidationReasonOf({ ...base, notAfter: monthsAgo(25), lastActivityAt: monthsAgo(26) }, now)).toBe('expired_unresolved');
    // frozen 23.5 months (not yet lost_unresolved), expired 25 months: the expiry decides
    expect(monthsAndAHalfAgo(23).getTime()).toBeGreaterThan(invalidationCutoff(now).getTime());
    expect(monthsAndAHalfAgo(23).getTime()).toBeLessThan(monthsAgo(23).getTime());
    expect(invalidationReasonOf({ ...base, status: 'frozen', frozenAt: monthsAndAHalfAgo(23), notAfter: monthsAgo(25) }, now)).toBe('expired_unresolved');
    // both lost and expired two years: the loss comes first
    expect(invalidationReasonOf({ ...base, status: 'frozen', frozenAt: monthsAgo(25), notAfter: monthsAgo(26) }, now)).toBe('lost_unresolved');
    // expired 3 months ago, last used 30 months ago: not idle (cannot be used), not yet expired_unresolved
    expect(invalidationReasonOf({ ...base, notAfter: monthsAgo(3), lastActivityAt: monthsAgo(30) }, now)).toBeUndefined();
  });

  it('revoked and invalid certificates are never flagged (again)', () => {
    expect(invalidationReasonOf({ ...base, status: 'revoked', lastActivityAt: monthsAgo(40) }, now)).toBeUndefined();
    expect(invalidationReasonOf({ ...base, status: 'invalid', lastActivityAt: monthsAgo(40) }, now)).toBeUndefined();
  });

  it('invalid is never shown as expired', () => {
    expect(effectiveStatus('invalid', monthsAgo(1), now)).toBe('invalid');
  });
});
