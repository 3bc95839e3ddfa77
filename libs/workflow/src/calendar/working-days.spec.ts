import type { CalendarYearOverride } from '@ecert/contracts';
import { describe, expect, it } from 'vitest';
import { ChineseWorkingCalendar } from './chinese-working-calendar';
import { shanghaiDate } from './shanghai-time';
import type { WorkingCalendar } from './working-calendar';
import { addWorkingDays, workingDaysBetween } from './working-days';

const cal = new ChineseWorkingCalendar();
/** An instant in Shanghai local time. */
const at = (local: string) => new Date(`${local}+08:00`);
/** The due date as a Shanghai civil date, checking it is the end of that day. */
function due(c: WorkingCalendar, from: Date, days: number): string {
  const { dueAt } = addWorkingDays(c, from, days);
  expect(dueAt.toISOString()).toMatch(/T15:59:59\.999Z$/);
  return shanghaiDate(dueAt);
}

const OVERRIDE_2031: CalendarYearOverride = { year: 2031, holidays: ['2031-01-01'], workdays: [] };

describe('addWorkingDays', () => {
  it('counts over National Day 2025 from an application accepted on 30 September', () => {
    const from = at('2025-09-30T10:00:00');
    expect(due(cal, from, 0)).toBe('2025-09-30'); // same day
    expect(due(cal, from, 1)).toBe('2025-10-09'); // 1–8 October are off
    expect(due(cal, from, 3)).toBe('2025-10-11'); // lands on the adjusted working Saturday
    expect(due(cal, from, 5)).toBe('2025-10-14');
    expect(due(cal, from, 10)).toBe('2025-10-21');
    expect(addWorkingDays(cal, from, 10).calendarIncomplete).toBe(false);
  });

  it('lands on an adjusted working Sunday or Saturday', () => {
    expect(due(cal, at('2025-09-26T16:00:00'), 1)).toBe('2025-09-28'); // Friday + 1 → Sunday 28 September (调休)
    expect(due(cal, at('2026-09-18T09:00:00'), 1)).toBe('2026-09-20'); // Sunday, 调休 for National Day 2026
    expect(due(cal, at('2026-10-09T09:00:00'), 1)).toBe('2026-10-10'); // Saturday, 调休
  });

  it('counts over Spring Festival 2026', () => {
    const friday = at('2026-02-13T15:00:00');
    expect(due(cal, friday, 1)).toBe('2026-02-14'); // working Saturday before the holiday
    expect(due(cal, friday, 2)).toBe('2026-02-24'); // 15–23 February off
    expect(due(cal, at('2026-02-14T10:00:00'), 0)).toBe('2026-02-14');
    // Accepted during the holiday: counting starts on the first working day after it.
    expect(due(cal, at('2026-02-18T10:00:00'), 0)).toBe('2026-02-24');
    expect(due(cal, at('2026-02-18T10:00:00'), 1)).toBe('2026-02-25');
    expect(due(cal, at('2026-02-24T10:00:00'), 3)).toBe('2026-02-27');
    expect(due(cal, at('2026-02-24T10:00:00'), 4)).toBe('2026-02-28'); // working Saturday after it
  });

  it('starts on Monday for an application filed on a weekend', () => {
    expect(due(cal, at('2025-10-18T10:00:00'), 0)).toBe('2025-10-20');
    expect(due(cal, at('2025-10-19T23:59:00'), 1)).toBe('2025-10-21');
  });

  it('takes the day in Shanghai, not in UTC', () => {
    // 01:30 on 1 October in Shanghai: a holiday, so day 0 is 9 October.
    expect(due(cal, new Date('2025-09-30T17:30:00Z'), 0)).toBe('2025-10-09');
    expect(due(cal, new Date('2025-09-30T17:30:00Z'), 1)).toBe('2025-10-10');
    expect(due(cal, new Date('2025-09-30T15:59:59.999Z'), 0)).toBe('2025-09-30');
  });

  it('flags a year the calendar does not know and falls back to Monday–Friday', () => {
    const newYear = at('2031-01-01T10:00:00'); // a Wednesday
    expect(addWorkingDays(cal, newYear, 0)).toEqual({ dueAt: at('2031-01-01T23:59:59.999'), calendarIncomplete: true });
    expect(due(cal, newYear, 1)).toBe('2031-01-02');
    expect(due(cal, newYear, 3)).toBe('2031-01-06');

    const loaded = new ChineseWorkingCalendar([OVERRIDE_2031]);
    expect(addWorkingDays(loaded, newYear, 0)).toEqual({ dueAt: at('2031-01-02T23:59:59.999'), calendarIncomplete: false });
    expect(due(loaded, newYear, 1)).toBe('2031-01-03');
  });

  it('flags a deadline only once it crosses into the unknown year', () => {
    const c = new ChineseWorkingCalendar([{ year: 2030, holidays: ['2030-01-01'], workdays: [] }]);
    const from = at('2030-12-30T10:00:00'); // a Monday
    expect(addWorkingDays(c, from, 1)).toMatchObject({ calendarIncomplete: false });
    expect(addWorkingDays(c, from, 2)).toMatchObject({ dueAt: at('2031-01-01T23:59:59.999'), calendarIncomplete: true });
  });

  it('refuses a negative or fractional limit', () => {
    expect(() => addWorkingDays(cal, at('2025-09-30T10:00:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, at('2025-09-30T10:00:00'), 1.5)).toThrow(RangeError);
  });

  it('stops rather than loops on a calendar without working days', () => {
    const closed: WorkingCalendar = { isWorkingDay: () => false, knowsYear: () => true };
    expect(() => addWorkingDays(closed, at('2025-09-30T10:00:00'), 1)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts the working days after the day of from, through the day of to', () => {
    expect(workingDaysBetween(cal, at('2025-09-30T10:00:00'), at('2025-10-09T09:00:00'))).toBe(1);
    expect(workingDaysBetween(cal, at('2025-09-30T10:00:00'), at('2025-09-30T18:00:00'))).toBe(0);
    expect(workingDaysBetween(cal, at('2025-10-01T10:00:00'), at('2025-10-08T18:00:00'))).toBe(0);
    expect(workingDaysBetween(cal, at('2025-09-26T10:00:00'), at('2025-09-28T09:00:00'))).toBe(1); // the 调休 Sunday
    expect(workingDaysBetween(cal, at('2025-12-31T10:00:00'), at('2026-01-05T09:00:00'))).toBe(2); // 4 (Sunday, 调休) and 5 January
  });

  it('is 0 when to is not after from', () => {
    expect(workingDaysBetween(cal, at('2025-10-20T10:00:00'), at('2025-10-13T10:00:00'))).toBe(0);
  });

  it('counts whole years (248 working days in 2025) and spans of years', () => {
    expect(workingDaysBetween(cal, at('2024-12-31T12:00:00'), at('2025-12-31T12:00:00'))).toBe(248);
    expect(workingDaysBetween(cal, at('2024-12-31T12:00:00'), at('2026-12-31T12:00:00'))).toBe(496);
  });

  it('uses the Shanghai day of both instants', () => {
    // 2025-09-30T17:30Z is 1 October in Shanghai, so 30 September is not counted.
    expect(workingDaysBetween(cal, new Date('2025-09-29T17:30:00Z'), new Date('2025-09-30T17:30:00Z'))).toBe(0);
    expect(workingDaysBetween(cal, new Date('2025-09-29T15:30:00Z'), new Date('2025-09-30T15:30:00Z'))).toBe(1);
  });
});

describe('caching', () => {
  it('asks a calendar about each date at most once across many computations', () => {
    let calls = 0;
    const counting: WorkingCalendar = {
      isWorkingDay: (d) => (calls++, cal.isWorkingDay(d)),
      knowsYear: (y) => cal.knowsYear(y),
    };
    for (let i = 0; i < 2000; i++) {
      const from = new Date(at('2025-01-02T09:00:00').getTime() + i * 3_600_000 * 4);
      addWorkingDays(counting, from, 20);
      workingDaysBetween(counting, from, at('2026-06-30T12:00:00'));
    }
    expect(calls).toBe(365 + 365);
    expect(due(counting, at('2025-09-30T10:00:00'), 5)).toBe('2025-10-14');
  });
});
