import { createRequire } from 'node:module';
import type { YearRules } from './year-rules';

/**
 * The State Council's holiday arrangements as shipped by the `chinese-days` package, grouped by year.
 *
 * Read from the package's own data file (dist/chinese-days.json, the tables its isWorkday uses)
 * because its API has no "which years do you know"; chinese-working-calendar.spec cross-checks
 * every day against the package's isWorkday. Loaded on first use: `@ecert/workflow` is imported
 * by code that never asks for a working day, and `require` keeps that lazy and synchronous.
 */
interface PackageData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let rules: ReadonlyMap<number, YearRules> | undefined;

export function packageHolidayRules(): ReadonlyMap<number, YearRules> {
  if (rules) return rules;
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as PackageData;
  const byYear = new Map<number, { holidays: Set<string>; workdays: Set<string> }>();
  const yearOf = (date: string) => {
    const year = Number(date.slice(0, 4));
    let r = byYear.get(year);
    if (!r) byYear.set(year, (r = { holidays: new Set(), workdays: new Set() }));
    return r;
  };
  // A year counts as known when the package lists holidays in it; every published year has some.
  for (const date of Object.keys(data.holidays)) yearOf(date).holidays.add(date);
  for (const date of Object.keys(data.workdays)) {
    const year = Number(date.slice(0, 4));
    if (byYear.has(year)) yearOf(date).workdays.add(date);
  }
  rules = byYear;
  return rules;
}
