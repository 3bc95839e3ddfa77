import { endOfShanghaiDayNumber, shanghaiDayNumber } from './shanghai-time';
import type { WorkingCalendar } from './working-calendar';
import { WorkingDayCounter } from './working-day-counter';

export function requireDayCount(days: number, name: string): void {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`${name} must be a non-negative integer, got ${days}`);
}

/**
 * Due date of a limit of N working days counted from an instant: the day of `from` is day 0 if it
 * is a working day (N = 0 → due at the end of that day, "same day"); otherwise counting starts on
 * the next working day (N = 0 → end of the next working day). N ≥ 1 → end of the N-th working day after day 0.
 * Days are Asia/Shanghai civil days; calendarIncomplete when a day counted lies in a year the calendar does not know.
 */
export function addWorkingDays(
  cal: WorkingCalendar,
  from: Date,
  days: number,
): { dueAt: Date; calendarIncomplete: boolean } {
  requireDayCount(days, 'days');
  const counter = new WorkingDayCounter(cal);
  const due = counter.advance(counter.firstFrom(shanghaiDayNumber(from)), days);
  return { dueAt: endOfShanghaiDayNumber(due), calendarIncomplete: counter.incomplete };
}

/** Working days strictly after the civil day of `from` up to and including the civil day of `to` (0 if `to` is not later). */
export function workingDaysBetween(cal: WorkingCalendar, from: Date, to: Date): number {
  return new WorkingDayCounter(cal).count(shanghaiDayNumber(from), shanghaiDayNumber(to));
}
