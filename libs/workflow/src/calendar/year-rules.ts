/** One year's exceptions to "Monday–Friday work": from the package or an operator's override. */
export interface YearRules {
  /** Days off, weekends included (the package lists whole holiday spans). */
  readonly holidays: ReadonlySet<string>;
  /** Weekend days that are working days (调休). */
  readonly workdays: ReadonlySet<string>;
}
