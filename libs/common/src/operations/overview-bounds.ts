import { ProblemCode, ProblemError } from '../problem';

export const OVERVIEW_TOP_DEFAULT = 10;
export const OVERVIEW_TOP_MAX = 50;
export const RENEWAL_WINDOW_DAYS_DEFAULT = 30;
export const RENEWAL_WINDOW_DAYS_MAX = 366;

export interface OverviewBounds {
  top: number;
  renewalWindowDays: number;
}

/**
 * The bounds of an operations overview from what a caller sent (query strings or bus data):
 * every list is top-N, nothing is paginated, and nothing is unbounded. Checked by the gateway and
 * again by each service answering.
 */
export function overviewBounds(q: { top?: unknown; renewalWindowDays?: unknown } | undefined): OverviewBounds {
  return {
    top: intIn(q?.top, 'top', 1, OVERVIEW_TOP_MAX, OVERVIEW_TOP_DEFAULT),
    renewalWindowDays: intIn(q?.renewalWindowDays, 'renewalWindowDays', 1, RENEWAL_WINDOW_DAYS_MAX, RENEWAL_WINDOW_DAYS_DEFAULT),
  };
}

function intIn(v: unknown, field: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be a whole number from ${min} to ${max}`);
  return n;
}
