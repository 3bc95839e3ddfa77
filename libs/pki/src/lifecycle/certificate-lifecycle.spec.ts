import { describe, expect, it } from 'vitest';
import { effectiveStatus, isRevokedForRelyingParties, planTransition } from './certificate-lifecycle';

const future = new Date(Date.now() + 86_400_000);
const past = new Date(Date.now() - 1000);

describe('certificate lifecycle', () => {
  it.each([
    ['freeze', 'active', 'frozen'],
    ['unfreeze', 'frozen', 'active'],
    ['revoke', 'active', 'revoked'],
    ['revoke', 'frozen', 'revoked'],
    ['renew', 'active', 'revoked'],
  ] as const)('%s from %s goes to %s', (action, from, to) => {
    expect(planTransition(action, from, future)).toEqual({ ok: true, to });
  });

  it.each([
    ['freeze', 'frozen'],
    ['freeze', 'revoked'],
    ['unfreeze', 'active'],
    ['unfreeze', 'revoked'],
    ['revoke', 'revoked'],
    ['renew', 'revoked'],
    ['renew', 'frozen'],
    ['freeze', 'invalid'],
    ['unfreeze', 'invalid'],
    ['revoke', 'invalid'],
    ['renew', 'invalid'],
  ] as const)('%s from %s is illegal', (action, from) => {
    const r = planTransition(action, from, future);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('illegal');
  });

  it('refuses every action on an expired certificate', () => {
    for (const a of ['freeze', 'unfreeze', 'revoke', 'renew'] as const) {
      const r = planTransition(a, a === 'unfreeze' ? 'frozen' : 'active', past);
      expect(r).toMatchObject({ ok: false, reason: 'expired' });
    }
  });

  it('derives expired but keeps revoked as revoked', () => {
    expect(effectiveStatus('active', past)).toBe('expired');
    expect(effectiveStatus('frozen', past)).toBe('expired');
    expect(effectiveStatus('revoked', past)).toBe('revoked');
    expect(effectiveStatus('active', future)).toBe('active');
  });
});

describe('isRevokedForRelyingParties', () => {
  it('revoked and invalid (失效) are revoked for relying parties; active, frozen, expired are not', () => {
    expect(['active', 'frozen', 'revoked', 'invalid', 'expired'].filter(isRevokedForRelyingParties)).toEqual(['revoked', 'invalid']);
  });
});
