import { describe, expect, it } from 'vitest';
import { buildCrl, type CrlEntry } from './crl-builder';
import { planDeltaEntries, type DeltaPlanInput } from './crl-delta-planner';
import { RevocationInputError } from './revocation-input-error';
import type { ReasonCode } from './revocation-reason';
import { serialKey } from './serial-number';
import { generateP256Signer } from './test-signer.spec-helper';

const BASE_AT = new Date('2026-03-01T00:00:00Z');
const HOLD_AT = new Date('2026-02-20T10:00:00Z');
const AT = new Date('2026-03-01T06:00:00Z');

const entry = (serial: string, reason?: ReasonCode, revokedAt = HOLD_AT, extra: Partial<CrlEntry> = {}): CrlEntry => ({
  serial,
  revokedAt,
  ...(reason ? { reason } : {}),
  ...extra,
});
const byKey = (...entries: CrlEntry[]): Map<string, CrlEntry> => new Map(entries.map((e) => [e.serial as string, e]));
const plan = (base: CrlEntry[], current: CrlEntry[], over: Partial<DeltaPlanInput> = {}): CrlEntry[] =>
  planDeltaEntries({ baseListed: byKey(...base), current: byKey(...current), at: AT, ...over });

describe('planDeltaEntries', () => {
  it('lists a certificate revoked since the base CRL', () => {
    const revoked = entry('0b', 'keyCompromise', new Date('2026-03-01T02:00:00Z'));
    expect(plan([], [revoked])).toEqual([revoked]);
  });

  it('lists a hold placed since the base CRL', () => {
    const held = entry('0c', 'certificateHold', new Date('2026-03-01T03:00:00Z'));
    expect(plan([entry('0a', 'superseded')], [entry('0a', 'superseded'), held])).toEqual([held]);
  });

  it('turns a hold the base listed and that has been lifted into removeFromCRL dated at the delta', () => {
    expect(plan([entry('0a', 'certificateHold')], [])).toEqual([{ serial: '0a', revokedAt: AT, reason: 'removeFromCRL' }]);
  });

  it('does not list a hold placed and lifted between the base and the delta', () => {
    // The base never listed it, the complete CRL now does not list it: relying parties never saw it.
    expect(plan([entry('0a', 'keyCompromise')], [entry('0a', 'keyCompromise')])).toEqual([]);
  });

  it('does not repeat entries unchanged since the base', () => {
    const same = [entry('01', 'keyCompromise'), entry('02', 'certificateHold'), entry('03')];
    expect(plan(same, same.map((e) => ({ ...e })))).toEqual([]);
  });

  it('treats times equal to the second as unchanged (CRLs carry whole seconds)', () => {
    const t = new Date('2026-02-20T10:00:00.000Z');
    const t2 = new Date('2026-02-20T10:00:00.999Z');
    expect(plan([entry('01', 'certificateHold', t)], [entry('01', 'certificateHold', t2)])).toEqual([]);
  });

  it('lists a held certificate that has since been revoked for good, with the new reason', () => {
    const now = entry('0a', 'keyCompromise', new Date('2026-03-01T04:00:00Z'));
    expect(plan([entry('0a', 'certificateHold')], [now])).toEqual([now]);
  });

  it('lists a certificate held again at another time after its hold was lifted', () => {
    const again = entry('0a', 'certificateHold', new Date('2026-03-01T05:00:00Z'));
    expect(plan([entry('0a', 'certificateHold')], [again])).toEqual([again]);
  });

  it('lists changed invalidity dates and hold instructions', () => {
    const withDate = entry('01', 'keyCompromise', HOLD_AT, { invalidityDate: new Date('2026-02-01T00:00:00Z') });
    expect(plan([entry('01', 'keyCompromise')], [withDate])).toEqual([withDate]);
    const withInstruction = entry('02', 'certificateHold', HOLD_AT, { holdInstruction: 'callIssuer' });
    expect(plan([entry('02', 'certificateHold')], [withInstruction])).toEqual([withInstruction]);
  });

  it('treats an absent reason as unspecified', () => {
    expect(plan([entry('01')], [entry('01', 'unspecified')])).toEqual([]);
  });

  it('emits removeFromCRL for a revoked certificate that expired off the complete CRL', () => {
    expect(plan([entry('01', 'keyCompromise')], [], { expired: new Set(['01']) })).toEqual([
      { serial: '01', revokedAt: AT, reason: 'removeFromCRL' },
    ]);
    // Expired but never in the base: nothing to say.
    expect(plan([], [], { expired: new Set(['02']) })).toEqual([]);
  });

  it('refuses to let a permanent revocation vanish without expiry (un-revoking does not exist)', () => {
    const error = (() => {
      try {
        plan([entry('01', 'keyCompromise')], []);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RevocationInputError);
    expect((error as RevocationInputError).field).toBe('baseListed.01');
  });

  it('matches serials across spellings (case, padding, bytes)', () => {
    const base = new Map<string, CrlEntry>([['00A1', entry('00A1', 'certificateHold')]]);
    const current = new Map<string, CrlEntry>([['a1', { serial: Uint8Array.of(0xa1), revokedAt: HOLD_AT, reason: 'certificateHold' }]]);
    expect(planDeltaEntries({ baseListed: base, current, at: AT })).toEqual([]);
    expect(planDeltaEntries({ baseListed: base, current: new Map(), at: AT })[0]!.reason).toBe('removeFromCRL');
  });

  it('rejects inconsistent input', () => {
    const cases: Array<() => unknown> = [
      () => planDeltaEntries({ baseListed: new Map([['01', entry('02')]]), current: new Map(), at: AT }),
      () => plan([], [entry('01', 'removeFromCRL')]),
      () => plan([entry('01', 'removeFromCRL')], []),
      () => planDeltaEntries({ baseListed: new Map(), current: new Map([['01', entry('01')], ['0001', entry('0001')]]), at: AT }),
      () => plan([], [], { at: new Date(Number.NaN) }),
      () => plan([], [entry('zz')]),
    ];
    for (const c of cases) expect(c).toThrow(RevocationInputError);
  });

  it('keeps base + delta = complete CRL now, over random histories of revoke / hold / lift / expire', () => {
    let seed = 20260301;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const permanent: ReasonCode[] = ['keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged', 'privilegeWithdrawn'];
    for (let round = 0; round < 200; round++) {
      const state = new Map<string, CrlEntry>();
      const expired = new Set<string>();
      const step = (minute: number): void => {
        const serial = (1 + random(12)).toString(16).padStart(2, '0');
        const listed = state.get(serial);
        const at = new Date(BASE_AT.getTime() + minute * 60_000);
        if (expired.has(serial)) return;
        if (!listed) {
          state.set(serial, entry(serial, random(2) ? 'certificateHold' : permanent[random(permanent.length)]!, at));
        } else if (listed.reason === 'certificateHold') {
          const choice = random(3);
          if (choice === 0) state.delete(serial); // hold lifted
          else if (choice === 1) state.set(serial, entry(serial, 'keyCompromise', at)); // hold made permanent
        } else if (random(4) === 0) {
          state.delete(serial); // certificate expired off the CRL
          expired.add(serial);
        }
      };
      for (let i = 0; i < 10; i++) step(i - 100);
      const base = new Map(state);
      expired.clear(); // expiries before the base are already reflected in it
      for (let i = 0; i < 10; i++) step(i);

      const delta = planDeltaEntries({ baseListed: base, current: state, expired, at: AT });
      // What a relying party does: start from the base, apply the delta.
      const combined = new Map(base);
      for (const d of delta) {
        if (d.reason === 'removeFromCRL') combined.delete(serialKey(d.serial));
        else combined.set(serialKey(d.serial), d);
      }
      expect(combined).toEqual(state);
      // And nothing superfluous: every delta entry changes something.
      for (const d of delta) {
        const b = base.get(serialKey(d.serial));
        expect(b === undefined || d.reason === 'removeFromCRL' || b !== state.get(serialKey(d.serial))).toBe(true);
      }
    }
  });

  it('produces entries buildCrl accepts in a delta CRL', async () => {
    const signer = generateP256Signer();
    const entries = plan([entry('0a', 'certificateHold')], [entry('0b', 'keyCompromise')]);
    const der = await buildCrl({
      issuerName: Uint8Array.of(0x30, 0x00),
      issuerSpki: signer.spki,
      signer,
      crlNumber: 5n,
      deltaOf: 4n,
      thisUpdate: AT,
      nextUpdate: new Date(AT.getTime() + 3_600_000),
      entries,
    });
    expect(der.length).toBeGreaterThan(100);
  });
});
