/**
 * Which civil days are working days. Dates are civil dates in Asia/Shanghai, 'YYYY-MM-DD'.
 *
 * Implementations must be immutable: the working-day functions cache a calendar's answers per
 * year (keyed by the calendar object), so new overrides mean a new calendar object.
 */
export interface WorkingCalendar {
  isWorkingDay(date: string): boolean;
  /** True when the package or an override knows that year's holidays. */
  knowsYear(year: number): boolean;
}
