import { describe, expect, it } from 'vitest';
import { OcspStatusView } from './ocsp-status-view';
import type { OcspCertStatus } from './ocsp-response-builder';

const good: OcspCertStatus = { status: 'good' };
const hold: OcspCertStatus = { status: 'revoked', revokedAt: new Date('2026-01-01T00:00:00Z'), reason: 'certificateHold' };

function view(now = { t: 1_000 }) {
  return { now, v: new OcspStatusView({ maxAgeMs: 30_000, maxEntries: 3, now: () => now.t }) };
}

describe('OcspStatusView', () => {
  it('keeps a fill that no invalidation raced, by normalised serial and CA', () => {
    const { v } = view();
    expect(v.fill('ca', [['0A1B', good]], v.generation, true)).toBe(1);
    expect(v.lookup('ca', 'a1b')).toEqual(good);
    expect(v.lookup('other-ca', '0a1b')).toBeUndefined();
  });

  it('keeps nothing of a fill an invalidation raced: a status read before a revocation committed', () => {
    const { v } = view();
    // The status is read (good), then the freeze commits and its invalidation arrives, then the read's answer.
    const generation = v.generation;
    v.invalidate(['0a1b']);
    expect(v.fill('ca', [['0a1b', good]], generation, true)).toBe(0);
    expect(v.lookup('ca', '0a1b')).toBeUndefined();
    // An invalidation of any other serial or a clear races it just the same (the view cannot tell what the read saw).
    const g2 = v.generation;
    v.clear();
    expect(v.fill('ca', [['0a1b', good]], g2, true)).toBe(0);
    // A fill begun after the invalidation is kept.
    expect(v.fill('ca', [['0a1b', hold]], v.generation, true)).toBe(1);
    expect(v.lookup('ca', '0a1b')).toEqual(hold);
  });

  it('keeps nothing while invalidations cannot arrive', () => {
    const { v } = view();
    expect(v.fill('ca', [['01', good]], v.generation, false)).toBe(0);
    expect(v.size).toBe(0);
  });

  it('drops an invalidated serial and everything on clear', () => {
    const { v } = view();
    v.fill('ca', [['01', good], ['02', good]], v.generation, true);
    v.invalidate(['01', 'not hex']);
    expect(v.lookup('ca', '01')).toBeUndefined();
    expect(v.lookup('ca', '02')).toEqual(good);
    v.clear();
    expect(v.lookup('ca', '02')).toBeUndefined();
  });

  it('never keeps unknown (issuance sends no invalidation)', () => {
    const { v } = view();
    expect(v.fill('ca', [['01', { status: 'unknown' }]], v.generation, true)).toBe(0);
  });

  it('stops using an entry at maxAge (a broadcast missed while connected)', () => {
    const { now, v } = view();
    v.fill('ca', [['01', good]], v.generation, true);
    now.t += 29_999;
    expect(v.lookup('ca', '01')).toEqual(good);
    now.t += 1;
    expect(v.lookup('ca', '01')).toBeUndefined();
  });

  it('is bounded', () => {
    const { v } = view();
    v.fill('ca', [['01', good], ['02', good], ['03', good], ['04', good]], v.generation, true);
    expect(v.size).toBeLessThanOrEqual(3);
    expect(v.lookup('ca', '04')).toEqual(good);
  });
});
