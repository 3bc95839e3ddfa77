import { describe, expect, it } from 'vitest';
import { ChineseWorkingCalendar } from './chinese-working-calendar';
import { computeSla, type SlaInput } from './sla-clock';
import { shanghaiDate } from './shanghai-time';

const calendar = new ChineseWorkingCalendar();
const at = (local: string) => new Date(`${local}+08:00`);

/** Accepted Monday 22 September 2025 with 10 working days: due on the adjusted Saturday 11 October. */
const base: SlaInput = {
  calendar,
  startedAt: at('2025-09-22T09:00:00'),
  limitWorkingDays: 10,
  pauses: [],
  now: at('2025-09-25T12:00:00'),
};

describe('computeSla', () => {
  it('counts the limit over National Day without pauses', () => {
    const r = computeSla(base);
    expect(r).toEqual({
      dueAt: at('2025-10-11T23:59:59.999'),
      overdue: false,
      pausedWorkingDays: 0,
      paused: false,
      calendarIncomplete: false,
      workingDaysUsed: 3,
    });
    expect(computeSla({ ...base, now: at('2025-10-11T20:00:00') })).toMatchObject({ overdue: false, workingDaysUsed: 10 });
    expect(computeSla({ ...base, now: at('2025-10-12T00:00:00') })).toMatchObject({ overdue: true, workingDaysUsed: 10 });
    expect(computeSla({ ...base, now: at('2025-10-13T08:00:00') })).toMatchObject({ overdue: true, workingDaysUsed: 11 });
  });

  it('pushes the due date by the working days of a return for supplement over the holiday', () => {
    // Returned on 29 September, resubmitted on 10 October: 30 September, 9 and 10 October paused.
    const returned = { ...base, pauses: [{ from: at('2025-09-29T10:00:00'), to: at('2025-10-10T09:00:00') }] };
    const r = computeSla({ ...returned, now: at('2025-10-15T17:00:00') });
    expect(r).toMatchObject({ pausedWorkingDays: 3, paused: false, overdue: false, workingDaysUsed: 10 });
    expect(shanghaiDate(r.dueAt)).toBe('2025-10-15');
    expect(computeSla({ ...returned, now: at('2025-10-16T09:00:00') })).toMatchObject({ overdue: true, workingDaysUsed: 11 });
  });

  it('is never overdue while paused, and the open pause keeps pushing the due date', () => {
    const r = computeSla({ ...base, pauses: [{ from: at('2025-09-29T10:00:00') }], now: at('2025-10-20T10:00:00') });
    // (29 Sep, 20 Oct]: 30 Sep, 9, 10, 11 (调休), 13–17 and 20 October.
    expect(r).toMatchObject({ paused: true, overdue: false, pausedWorkingDays: 10, workingDaysUsed: 6 });
    expect(shanghaiDate(r.dueAt)).toBe('2025-10-24');

    const late = computeSla({
      ...base,
      startedAt: at('2025-10-09T09:00:00'),
      limitWorkingDays: 0,
      pauses: [{ from: at('2025-10-13T10:00:00') }],
      now: at('2025-10-14T10:00:00'),
    });
    expect(late).toMatchObject({ paused: true, overdue: false });
    expect(late.dueAt.getTime()).toBeLessThan(at('2025-10-14T10:00:00').getTime());
  });

  it('stops the clock at finishedAt', () => {
    const inTime = computeSla({ ...base, finishedAt: at('2025-10-11T18:00:00'), now: at('2026-03-01T09:00:00') });
    expect(inTime).toMatchObject({ overdue: false, workingDaysUsed: 10 });
    const late = computeSla({ ...base, finishedAt: at('2025-10-13T09:00:00'), now: at('2026-03-01T09:00:00') });
    expect(late).toMatchObject({ overdue: true, workingDaysUsed: 11 });
  });

  it('ends an open pause at finishedAt, so a finished application does not drift', () => {
    const input = { ...base, pauses: [{ from: at('2025-09-29T10:00:00') }], finishedAt: at('2025-10-10T09:00:00') };
    const r = computeSla({ ...input, now: at('2025-12-01T09:00:00') });
    expect(r).toMatchObject({ paused: false, overdue: false, pausedWorkingDays: 3 });
    expect(shanghaiDate(r.dueAt)).toBe('2025-10-15');
    expect(computeSla({ ...input, now: at('2026-06-01T09:00:00') })).toEqual(r);
  });

  it('counts overlapping pauses once and a pause within one day as none', () => {
    const overlapping = computeSla({
      ...base,
      pauses: [
        { from: at('2025-09-29T10:00:00'), to: at('2025-10-10T09:00:00') },
        { from: at('2025-10-09T10:00:00'), to: at('2025-10-10T12:00:00') },
      ],
      now: at('2025-10-15T17:00:00'),
    });
    expect(overlapping.pausedWorkingDays).toBe(3);
    const sameDay = computeSla({ ...base, pauses: [{ from: at('2025-09-23T10:00:00'), to: at('2025-09-23T16:00:00') }] });
    expect(sameDay.pausedWorkingDays).toBe(0);
    expect(shanghaiDate(sameDay.dueAt)).toBe('2025-10-11');
  });

  it('lands on the working Saturday before Spring Festival 2026', () => {
    const r = computeSla({ ...base, startedAt: at('2026-02-09T09:00:00'), limitWorkingDays: 5, now: at('2026-02-16T10:00:00') });
    expect(shanghaiDate(r.dueAt)).toBe('2026-02-14');
    expect(r).toMatchObject({ overdue: true, workingDaysUsed: 5 });
  });

  it('flags a year the calendar does not know, until an override covers it', () => {
    const input = { ...base, startedAt: at('2031-01-01T09:00:00'), limitWorkingDays: 1, now: at('2031-01-01T10:00:00') };
    const r = computeSla(input);
    expect(r.calendarIncomplete).toBe(true);
    expect(shanghaiDate(r.dueAt)).toBe('2031-01-02');
    const loaded = computeSla({ ...input, calendar: new ChineseWorkingCalendar([{ year: 2031, holidays: ['2031-01-01'], workdays: [] }]) });
    expect(loaded.calendarIncomplete).toBe(false);
    expect(shanghaiDate(loaded.dueAt)).toBe('2031-01-03');
  });

  it('flags a pause that reaches into an unknown year', () => {
    const cal2030 = new ChineseWorkingCalendar([{ year: 2030, holidays: ['2030-01-01'], workdays: [] }]);
    const input = { ...base, calendar: cal2030, startedAt: at('2030-12-02T09:00:00'), limitWorkingDays: 5 };
    expect(computeSla({ ...input, now: at('2030-12-03T09:00:00') }).calendarIncomplete).toBe(false);
    const r = computeSla({ ...input, pauses: [{ from: at('2030-12-03T09:00:00') }], now: at('2031-01-02T09:00:00') });
    expect(r).toMatchObject({ paused: true, calendarIncomplete: true });
  });

  it('refuses a negative limit', () => {
    expect(() => computeSla({ ...base, limitWorkingDays: -1 })).toThrow(RangeError);
  });
});
