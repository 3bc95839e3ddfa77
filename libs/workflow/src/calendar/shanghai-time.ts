import { civilDate, requireCivilDate } from './civil-date';

/** China Standard Time is UTC+8 all year (no DST since 1991), so a fixed offset is exact. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

function requireInstant(instant: Date): number {
  const t = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError('not a valid Date');
  return t;
}

/** Day number (see civil-date) of the Asia/Shanghai civil day containing an instant. */
export function shanghaiDayNumber(instant: Date): number {
  return Math.floor((requireInstant(instant) + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The last millisecond (23:59:59.999 +08:00) of a day number. */
export function endOfShanghaiDayNumber(day: number): Date {
  return new Date((day + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1);
}

/** The civil date in Asia/Shanghai of an instant: 2025-09-30T17:30:00Z is '2025-10-01'. */
export function shanghaiDate(instant: Date): string {
  return civilDate(shanghaiDayNumber(instant));
}

/** 23:59:59.999 +08:00 of a civil date: deadlines run to the end of their day. */
export function endOfShanghaiDay(date: string): Date {
  return endOfShanghaiDayNumber(requireCivilDate(date));
}
