import { civilDate, yearOfDay } from './civil-date';
import { endOfShanghaiDayNumber, shanghaiDayNumber } from './shanghai-time';
import type { WorkingCalendar } from './working-calendar';
import { requireDayCount } from './working-days';

/** 第十七条: units are reminded to renew in the 20 working days before expiry. */
export const RENEWAL_WINDOW_WORKING_DAYS = 20;

/**
 * The renewal window of a certificate is the last N working days before its expiry day (the
 * civil day, Asia/Shanghai, of notAfter; that day itself not counted). Returns the window's first
 * day. calendarIncomplete when a day counted lies in a year the calendar does not know.
 */
export function renewalWindowOpensOn(cal: WorkingCalendar, notAfter: Date, days = RENEWAL_WINDOW_WORKING_DAYS): { opensOn: string; calendarIncomplete: boolean } {
  requireDayCount(days, 'days');
  let incomplete = false;
  let d = shanghaiDayNumber(notAfter);
  for (let found = 0; found < days; ) {
    d--;
    const date = civilDate(d);
    if (!cal.knowsYear(yearOfDay(d))) incomplete = true;
    if (cal.isWorkingDay(date)) found++;
  }
  return { opensOn: civilDate(d), calendarIncomplete: incomplete };
}

/**
 * Which certificates are in their renewal window at `now`: exactly those whose notAfter is before
 * `expiresBefore` (and still ahead). It is the start of the day after the N-th working day after
 * today: a certificate expiring that day or later still has more than N working days left. This is
 * what the reminder job asks the database with, set-based.
 */
export function renewalWindowCutoff(cal: WorkingCalendar, now: Date, days = RENEWAL_WINDOW_WORKING_DAYS): { expiresBefore: Date; calendarIncomplete: boolean } {
  requireDayCount(days, 'days');
  let incomplete = false;
  let d = shanghaiDayNumber(now);
  for (let found = 0; found < days; ) {
    d++;
    if (!cal.knowsYear(yearOfDay(d))) incomplete = true;
    if (cal.isWorkingDay(civilDate(d))) found++;
  }
  return { expiresBefore: new Date(endOfShanghaiDayNumber(d).getTime() + 1), calendarIncomplete: incomplete };
}
