import type { CalendarStatusView, CalendarYearOverride } from '@ecert/contracts';
import { isWeekend, requireCivilDate } from './civil-date';
import { CalendarOverrideError } from './calendar-override-error';
import { validateCalendarOverride } from './calendar-override.validator';
import { packageHolidayRules } from './package-holidays';
import type { WorkingCalendar } from './working-calendar';
import type { YearRules } from './year-rules';

/**
 * Mainland China's working days: Monday–Friday, minus the public holidays, plus the weekend days
 * made working days by 调休, as published by the State Council each year.
 *
 * Holidays come from the `chinese-days` package. An operator's override for a year replaces the
 * package's data for that whole year (a notice the package has not caught up with, or a correction).
 * A year neither knows falls back to plain Monday–Friday; knowsYear lets callers flag that.
 */
export class ChineseWorkingCalendar implements WorkingCalendar {
  private readonly overrides: ReadonlyMap<number, YearRules>;

  constructor(overrides: readonly CalendarYearOverride[] = []) {
    const byYear = new Map<number, YearRules>();
    overrides.forEach((raw, i) => {
      // Validated again here: the sets below are only right if the override is.
      const o = validateCalendarOverride(raw);
      if (byYear.has(o.year)) throw new CalendarOverrideError('year', `override ${i} repeats year ${o.year}`);
      byYear.set(o.year, { holidays: new Set(o.holidays), workdays: new Set(o.workdays) });
    });
    this.overrides = byYear;
  }

  /** Years the installed package has holiday data for, ascending. */
  static packageYears(): number[] {
    return [...packageHolidayRules().keys()].sort((a, b) => a - b);
  }

  isWorkingDay(date: string): boolean {
    const day = requireCivilDate(date);
    const rules = this.rulesFor(Number(date.slice(0, 4)));
    if (rules?.workdays.has(date)) return true;
    if (rules?.holidays.has(date)) return false;
    return !isWeekend(day);
  }

  knowsYear(year: number): boolean {
    return this.rulesFor(year) !== undefined;
  }

  /** Years known (package or override), the override years, and which of `neededYears` neither knows. */
  status(neededYears: number[]): CalendarStatusView {
    const overrideYears = [...this.overrides.keys()].sort((a, b) => a - b);
    const knownYears = [...new Set([...ChineseWorkingCalendar.packageYears(), ...overrideYears])].sort((a, b) => a - b);
    const missingYears = [...new Set(neededYears)].filter((y) => !this.knowsYear(y)).sort((a, b) => a - b);
    return { knownYears, overrideYears, missingYears };
  }

  private rulesFor(year: number): YearRules | undefined {
    return this.overrides.get(year) ?? packageHolidayRules().get(year);
  }
}
