import { ProblemCode, ProblemError } from '@ecert/common';

const TITLE = '审计记录不可用 (audit trail unavailable)';

/** Nothing was done because its audit record could not be written first: safe to retry. */
export function auditUnavailableBefore(cause: unknown): ProblemError {
  return new ProblemError(503, ProblemCode.auditUnavailable, TITLE, `Nothing was done: the attempt could not be audited (${(cause as Error).message})`, undefined, { retryAfter: 1 });
}

/** It was done, but its outcome could not be audited: the caller must not take it for a success. */
export function auditUnavailableAfter(attempt: number): ProblemError {
  return new ProblemError(
    500,
    ProblemCode.auditUnavailable,
    TITLE,
    `The request was carried out but its outcome could not be audited (attempt record ${attempt}); check the result before repeating it, or retry with the same Idempotency-Key`,
    undefined,
    { attempt },
  );
}
