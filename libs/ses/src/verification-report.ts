/**
 * Verification results, in the ETSI EN 319 102-1 vocabulary the rest of ecert uses: every check is
 * reported on its own, and the overall indication is the worst of them (any failure → TOTAL_FAILED,
 * else any unknown → INDETERMINATE).
 */
export type CheckResult = 'passed' | 'failed' | 'indeterminate';

export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

export interface VerificationCheck {
  /** Stable name, e.g. `maker-signature`, `maker-certificate`, `validity-period`. */
  readonly name: string;
  readonly result: CheckResult;
  /** Why, for people: which certificate, which dates, which error. */
  readonly detail: string;
}

export function overallIndication(checks: readonly VerificationCheck[]): Indication {
  if (checks.some((c) => c.result === 'failed')) return 'TOTAL_FAILED';
  if (checks.some((c) => c.result === 'indeterminate')) return 'INDETERMINATE';
  return checks.length ? 'TOTAL_PASSED' : 'INDETERMINATE';
}

export function indicationToResult(indication: Indication): CheckResult {
  return indication === 'TOTAL_PASSED' ? 'passed' : indication === 'TOTAL_FAILED' ? 'failed' : 'indeterminate';
}
