import { civilDate, dayNumber, isLeapYear, yearOfDay } from './civil-date';
import type { WorkingCalendar } from './working-calendar';

/** One year of a calendar, classified once: cum[i] = working days among the year's first i days. */
interface YearTable {
  readonly first: number;
  readonly length: number;
  readonly cum: Uint16Array;
  readonly known: boolean;
}

/**
 * Deadline lists run these computations for thousands of applications against one calendar, so
 * each calendar's years are classified once and kept (calendars are immutable, see WorkingCalendar);
 * counting a range is then two array reads per year instead of a call per day.
 */
const tablesByCalendar = new WeakMap<WorkingCalendar, Map<number, YearTable>>();

// A calendar with no working day at all would make "the next working day" loop forever.
const MAX_EMPTY_YEARS = 5;

function buildTable(cal: WorkingCalendar, year: number): YearTable {
  const first = dayNumber(year, 1, 1);
  const length = isLeapYear(year) ? 366 : 365;
  const cum = new Uint16Array(length + 1);
  for (let i = 0; i < length; i++) cum[i + 1] = cum[i] + (cal.isWorkingDay(civilDate(first + i)) ? 1 : 0);
  return { first, length, cum, known: cal.knowsYear(year) };
}

/**
 * Day-number arithmetic over a calendar for one computation. `incomplete` turns true as soon as a
 * day it classifies lies in a year the calendar does not know.
 */
export class WorkingDayCounter {
  incomplete = false;
  private readonly tables: Map<number, YearTable>;

  constructor(private readonly cal: WorkingCalendar) {
    let tables = tablesByCalendar.get(cal);
    if (!tables) tablesByCalendar.set(cal, (tables = new Map()));
    this.tables = tables;
  }

  private table(year: number): YearTable {
    let t = this.tables.get(year);
    if (!t) this.tables.set(year, (t = buildTable(this.cal, year)));
    if (!t.known) this.incomplete = true;
    return t;
  }

  isWorking(day: number): boolean {
    const t = this.table(yearOfDay(day));
    const i = day - t.first;
    return t.cum[i + 1] > t.cum[i];
  }

  /** Working days in (after, through]; 0 when through ≤ after. */
  count(after: number, through: number): number {
    let total = 0;
    for (let d = after + 1; d <= through; ) {
      const t = this.table(yearOfDay(d));
      const end = Math.min(through, t.first + t.length - 1);
      total += t.cum[end - t.first + 1] - t.cum[d - t.first];
      d = end + 1;
    }
    return total;
  }

  /** `day` when it is a working day, else the next working day. */
  firstFrom(day: number): number {
    return this.isWorking(day) ? day : this.advance(day, 1);
  }

  /** The n-th working day strictly after `day`; `day` itself for n = 0. */
  advance(day: number, n: number): number {
    let remaining = n;
    let emptyYears = 0;
    for (let d = day + 1; remaining > 0; ) {
      const t = this.table(yearOfDay(d));
      const from = d - t.first;
      const available = t.cum[t.length] - t.cum[from];
      if (available >= remaining) {
        const target = t.cum[from] + remaining;
        for (let i = from; ; i++) if (t.cum[i + 1] === target) return t.first + i;
      }
      remaining -= available;
      emptyYears = available === 0 ? emptyYears + 1 : 0;
      if (emptyYears >= MAX_EMPTY_YEARS) throw new RangeError(`the calendar has no working day in ${MAX_EMPTY_YEARS} years`);
      d = t.first + t.length;
    }
    return day;
  }
}
