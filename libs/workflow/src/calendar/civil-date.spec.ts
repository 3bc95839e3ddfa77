import { describe, expect, it } from 'vitest';
import { civilDate, dayNumber, parseCivilDate, weekdayOf } from './civil-date';

describe('civil-date', () => {
  it('agrees with Date.UTC on every day from 1900 to 2200', () => {
    const first = Date.UTC(1900, 0, 1) / 86_400_000;
    const last = Date.UTC(2200, 11, 31) / 86_400_000;
    const wrong: string[] = [];
    for (let n = first; n <= last; n++) {
      const d = new Date(n * 86_400_000);
      const iso = d.toISOString().slice(0, 10);
      if (civilDate(n) !== iso || parseCivilDate(iso) !== n || weekdayOf(n) !== d.getUTCDay()) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
    expect(dayNumber(1970, 1, 1)).toBe(0);
  });

  it.each(['2025-02-29', '2024-02-30', '2025-13-01', '2025-00-10', '2025-04-31', '2025-9-30', '20250930', ' 2025-09-30', ''])(
    'refuses %j',
    (s) => expect(parseCivilDate(s)).toBeUndefined(),
  );

  it('accepts 29 February of leap years only', () => {
    expect(parseCivilDate('2024-02-29')).toBeDefined();
    expect(parseCivilDate('2000-02-29')).toBeDefined();
    expect(parseCivilDate('2100-02-29')).toBeUndefined();
  });
});
