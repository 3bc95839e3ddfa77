import { describe, expect, it } from 'vitest';
import { ChineseWorkingCalendar } from './chinese-working-calendar';
import { renewalWindowCutoff, renewalWindowOpensOn } from './renewal-window';
import { shanghaiDate } from './shanghai-time';

const cal = new ChineseWorkingCalendar();
const at = (local: string) => new Date(`${local}+08:00`);

describe('renewal window (20 working days before expiry, 第十七条)', () => {
  it('counts back over National Day 2025 and its adjusted working days', () => {
    // Expiry Monday 20 October 2025: 17,16,15,14,13 Oct, Sat 11 Oct (调休), 10, 9 Oct (8); 1–8 Oct off;
    // 30, 29 Sep, Sun 28 Sep (调休), 26, 25, 24, 23, 22, 19, 18, 17, 16 Sep (12) → opens 16 September.
    expect(renewalWindowOpensOn(cal, at('2025-10-20T10:00:00'))).toEqual({ opensOn: '2025-09-16', calendarIncomplete: false });
  });

  it('counts back over Spring Festival 2026', () => {
    // Expiry Wed 4 March 2026: 3, 2 Mar, Sat 28 Feb (调休), 27..24 Feb (7); 15–23 Feb off; Sat 14 Feb (调休),
    // 13..9 Feb (13), 6..2 Feb (18), 30, 29 Jan (20) → opens 29 January.
    expect(renewalWindowOpensOn(cal, at('2026-03-04T00:30:00')).opensOn).toBe('2026-01-29');
  });

  it('the cutoff admits exactly the certificates whose window has opened', () => {
    const now = at('2025-09-16T09:00:00');
    const { expiresBefore } = renewalWindowCutoff(cal, now);
    // 16 Sep is the first day of the window of a certificate expiring 20 Oct, but not of one expiring 21 Oct.
    expect(shanghaiDate(expiresBefore)).toBe('2025-10-21');
    expect(expiresBefore.toISOString()).toBe('2025-10-20T16:00:00.000Z');
    for (const expiry of ['2025-10-20T23:59:59', '2025-10-21T00:00:00', '2025-10-17T12:00:00', '2025-10-22T08:00:00']) {
      const notAfter = at(expiry);
      const open = renewalWindowOpensOn(cal, notAfter).opensOn <= shanghaiDate(now);
      expect(notAfter < expiresBefore, expiry).toBe(open);
    }
  });

  it('agrees with the window of every certificate, every day of 2025 and 2026', () => {
    for (let t = at('2025-01-01T09:00:00').getTime(); t < at('2027-01-01T00:00:00').getTime(); t += 86_400_000) {
      const now = new Date(t);
      const { expiresBefore } = renewalWindowCutoff(cal, now);
      for (const shift of [-86_400_000, -1, 0, 86_400_000 - 1]) {
        const notAfter = new Date(expiresBefore.getTime() + shift);
        const open = renewalWindowOpensOn(cal, notAfter).opensOn <= shanghaiDate(now);
        expect(notAfter < expiresBefore, `${now.toISOString()} ${notAfter.toISOString()}`).toBe(open);
      }
    }
  });

  it('a weekend opens no window the Friday did not', () => {
    // No working day between Friday 12 and Monday 15 September 2025: same cutoff; Monday's is later.
    const fri = renewalWindowCutoff(cal, at('2025-09-12T12:00:00')).expiresBefore;
    expect(renewalWindowCutoff(cal, at('2025-09-13T12:00:00')).expiresBefore).toEqual(fri);
    expect(renewalWindowCutoff(cal, at('2025-09-15T12:00:00')).expiresBefore.getTime()).toBeGreaterThan(fri.getTime());
  });

  it('says when it counted in a year the calendar does not know', () => {
    expect(renewalWindowOpensOn(cal, at('2099-03-01T00:00:00')).calendarIncomplete).toBe(true);
  });
});
