import type { CalendarYearOverride } from '@ecert/contracts';
import { civilParts, isWeekend, parseCivilDate } from './civil-date';
import { CalendarOverrideError } from './calendar-override-error';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
// No year has more days; also bounds the work done on a hostile input.
const MAX_DATES = 366;
const MAX_SOURCE_CHARS = 200;
const FIELDS = new Set(['year', 'holidays', 'workdays', 'source']);

function refuse(field: string, message: string): never {
  throw new CalendarOverrideError(field, message);
}

function checkDates(input: Record<string, unknown>, field: 'holidays' | 'workdays', year: number): string[] {
  const list = input[field];
  if (!Array.isArray(list)) refuse(field, `${field} must be an array of YYYY-MM-DD dates`);
  if (list.length > MAX_DATES) refuse(field, `${field} has more than ${MAX_DATES} dates`);
  const seen = new Set<string>();
  list.forEach((date: unknown, i) => {
    const at = `${field}[${i}]`;
    const day = parseCivilDate(date);
    if (day === undefined) refuse(at, `${at} is not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
    const d = date as string;
    if (civilParts(day).year !== year) refuse(at, `${at} ${d} is not in ${year}`);
    if (seen.has(d)) refuse(at, `${at} ${d} is listed twice`);
    // 调休 only ever turns a weekend day into a working day; a weekday "workday" is a typo.
    if (field === 'workdays' && !isWeekend(day)) refuse(at, `${at} ${d} is not a Saturday or Sunday`);
    seen.add(d);
  });
  return [...seen].sort();
}

/**
 * Checks an operator's override (one year of the State Council's notice) before it replaces the
 * package's data for that year. Returns a clean copy with the dates sorted; throws
 * CalendarOverrideError naming the first bad field.
 */
export function validateCalendarOverride(input: unknown): CalendarYearOverride {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    refuse('override', 'a calendar override must be an object');
  }
  const o = input as Record<string, unknown>;
  // Refuse unknown keys: a misspelt "workday" would otherwise be dropped silently.
  for (const key of Object.keys(o)) if (!FIELDS.has(key)) refuse(key, `unknown field ${key}`);

  const year = o.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    refuse('year', `year must be an integer from ${MIN_YEAR} to ${MAX_YEAR}`);
  }
  const holidays = checkDates(o, 'holidays', year);
  const workdays = checkDates(o, 'workdays', year);
  const both = new Set(holidays);
  const clash = (o.workdays as string[]).findIndex((d) => both.has(d));
  if (clash >= 0) refuse(`workdays[${clash}]`, `workdays[${clash}] ${(o.workdays as string[])[clash]} is also a holiday`);

  const source = o.source;
  if (source !== undefined) {
    if (typeof source !== 'string') refuse('source', 'source must be a string');
    if ([...source].length > MAX_SOURCE_CHARS) refuse('source', `source is longer than ${MAX_SOURCE_CHARS} characters`);
  }
  return { year, holidays, workdays, ...(source !== undefined ? { source } : {}) };
}
