/**
 * Civil dates ('YYYY-MM-DD', no time zone) as day numbers: days since 1970-01-01. Integer day
 * numbers make "next day" and ranges plain arithmetic, with no Date or time-zone pitfalls.
 * Internal to the calendar: the public API speaks in date strings and instants.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The day number of a strict 'YYYY-MM-DD' that names a real day, else undefined. */
export function parseCivilDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayNumber(year, month, day);
}

/** Like parseCivilDate, but a malformed date is a caller's bug. */
export function requireCivilDate(value: string): number {
  const n = parseCivilDate(value);
  if (n === undefined) throw new RangeError(`not a civil date YYYY-MM-DD: ${JSON.stringify(value)}`);
  return n;
}

/** Year, month (1–12) and day of a day number (H. Hinnant's civil_from_days). */
export function civilParts(n: number): { year: number; month: number; day: number } {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function yearOfDay(n: number): number {
  return civilParts(n).year;
}

/** 'YYYY-MM-DD' of a day number; only four-digit years have a civil date string. */
export function civilDate(n: number): string {
  const { year, month, day } = civilParts(n);
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} is outside 0000–9999`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday, as Date#getDay; 1970-01-01 was a Thursday. */
export function weekdayOf(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

export function isWeekend(n: number): boolean {
  const w = weekdayOf(n);
  return w === 0 || w === 6;
}
