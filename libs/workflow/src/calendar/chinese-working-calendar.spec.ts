import chineseDays from 'chinese-days';
import type { CalendarYearOverride } from '@ecert/contracts';
import { describe, expect, it } from 'vitest';
import { civilDate, dayNumber, isWeekend, requireCivilDate } from './civil-date';
import { CalendarOverrideError } from './calendar-override-error';
import { ChineseWorkingCalendar } from './chinese-working-calendar';

/** Every date of a year, 'YYYY-MM-DD'. */
function daysOf(year: number): string[] {
  const out: string[] = [];
  for (let n = dayNumber(year, 1, 1); n < dayNumber(year + 1, 1, 1); n++) out.push(civilDate(n));
  return out;
}

/** A year beyond the installed package (1.5.7 knows 2004–2026). */
const UNKNOWN = 2031;

/** An operator's override for 2031 (illustrative, not a real notice). */
const OVERRIDE_2031: CalendarYearOverride = {
  year: 2031,
  holidays: ['2031-01-01', '2031-01-22', '2031-01-23', '2031-01-24', '2031-01-25', '2031-01-26', '2031-01-27', '2031-01-28'],
  workdays: ['2031-01-19', '2031-02-08'],
  source: '国务院办公厅关于2031年部分节假日安排的通知 (test)',
};

describe('ChineseWorkingCalendar', () => {
  const cal = new ChineseWorkingCalendar();

  it('reads the years from the package data, ascending', () => {
    const years = ChineseWorkingCalendar.packageYears();
    expect(years).toEqual([...years].sort((a, b) => a - b));
    expect(years).toEqual(expect.arrayContaining([2004, 2024, 2025, 2026]));
    expect(years).not.toContain(UNKNOWN);
    for (const y of years) expect(cal.knowsYear(y)).toBe(true);
    expect(cal.knowsYear(UNKNOWN)).toBe(false);
  });

  it("agrees with the package's isWorkday on every day of every year it knows", () => {
    for (const year of ChineseWorkingCalendar.packageYears()) {
      const wrong = daysOf(year).filter((d) => cal.isWorkingDay(d) !== chineseDays.isWorkday(d));
      expect(wrong, `${year}`).toEqual([]);
    }
  });

  it('knows National Day 2025 and its adjusted working Sunday and Saturday', () => {
    for (const d of daysOf(2025).filter((d) => d >= '2025-10-01' && d <= '2025-10-08')) {
      expect(cal.isWorkingDay(d), d).toBe(false);
    }
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday, 调休
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday, 调休
    expect(cal.isWorkingDay('2025-10-12')).toBe(false); // plain Sunday
    expect(cal.isWorkingDay('2025-09-30')).toBe(true);
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
  });

  it('knows Spring Festival 2026 (15–23 February) and its working Saturdays', () => {
    for (const d of daysOf(2026).filter((d) => d >= '2026-02-15' && d <= '2026-02-23')) {
      expect(cal.isWorkingDay(d), d).toBe(false);
    }
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
    expect(cal.isWorkingDay('2026-02-24')).toBe(true);
  });

  it('lists the weekend days made working days in 2025 and 2026', () => {
    const adjusted = (year: number) => daysOf(year).filter((d) => isWeekend(requireCivilDate(d)) && cal.isWorkingDay(d));
    expect(adjusted(2025)).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
    expect(adjusted(2026)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  });

  it('has 248 working days in 2025 and in 2026', () => {
    expect(daysOf(2025).filter((d) => cal.isWorkingDay(d))).toHaveLength(248);
    expect(daysOf(2026).filter((d) => cal.isWorkingDay(d))).toHaveLength(248);
  });

  it('falls back to Monday–Friday in a year it does not know', () => {
    expect(cal.isWorkingDay('2031-01-01')).toBe(true); // a Wednesday; New Year's Day unknown
    expect(cal.isWorkingDay('2031-01-04')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2031-01-19')).toBe(false); // Sunday
  });

  it('takes an override for a year the package does not know', () => {
    const withOverride = new ChineseWorkingCalendar([OVERRIDE_2031]);
    expect(withOverride.knowsYear(2031)).toBe(true);
    expect(withOverride.isWorkingDay('2031-01-01')).toBe(false);
    expect(withOverride.isWorkingDay('2031-01-19')).toBe(true); // Sunday made a working day
    expect(withOverride.isWorkingDay('2031-01-02')).toBe(true);
    expect(withOverride.isWorkingDay('2031-01-04')).toBe(false);
    // Other years still come from the package.
    expect(withOverride.isWorkingDay('2025-10-01')).toBe(false);
  });

  it('lets an override replace the package for its whole year', () => {
    const corrected = new ChineseWorkingCalendar([{ year: 2025, holidays: ['2025-10-09'], workdays: [] }]);
    expect(corrected.isWorkingDay('2025-10-01')).toBe(true); // the package's holiday is gone
    expect(corrected.isWorkingDay('2025-10-09')).toBe(false);
    expect(corrected.isWorkingDay('2025-10-11')).toBe(false); // the package's 调休 Saturday is gone
    expect(corrected.isWorkingDay('2026-02-16')).toBe(false); // 2026 untouched
  });

  it('refuses an invalid override or two overrides for one year', () => {
    expect(() => new ChineseWorkingCalendar([{ ...OVERRIDE_2031, workdays: ['2031-01-20'] }])).toThrow(
      expect.objectContaining({ field: 'workdays[0]' }),
    );
    expect(() => new ChineseWorkingCalendar([OVERRIDE_2031, { year: 2031, holidays: [], workdays: [] }])).toThrow(
      CalendarOverrideError,
    );
  });

  it('reports its status for the years the platform needs', () => {
    expect(cal.status([2026, UNKNOWN, UNKNOWN])).toEqual({
      knownYears: ChineseWorkingCalendar.packageYears(),
      overrideYears: [],
      missingYears: [UNKNOWN],
    });
    const s = new ChineseWorkingCalendar([OVERRIDE_2031]).status([UNKNOWN + 1, 2026, UNKNOWN]);
    expect(s.overrideYears).toEqual([2031]);
    expect(s.knownYears).toEqual([...ChineseWorkingCalendar.packageYears(), 2031]);
    expect(s.missingYears).toEqual([UNKNOWN + 1]);
  });

  it('refuses a malformed date', () => {
    expect(() => cal.isWorkingDay('2025-02-29')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2025/10/01')).toThrow(RangeError);
  });
});
