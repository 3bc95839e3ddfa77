import { ProblemCode, ProblemError } from '@ecert/common';

/** The ETag of a view: its version, as a strong entity tag. */
export function versionETag(version: number): string {
  return `"${version}"`;
}

/**
 * `If-Match` as the version a reviewer saw: `"7"` (the ETag sent back) or a bare `7`. Absent or `*`
 * means no expectation. Weak tags and lists are refused: a decision is made on one exact version.
 */
export function expectedVersionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const v = ifMatch.trim();
  if (v === '*') return undefined;
  const m = /^(?:"(\d{1,15})"|(\d{1,15}))$/.exec(v);
  const n = m ? Number(m[1] ?? m[2]) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'If-Match', 'If-Match must be the version of the application (its ETag, e.g. "3")');
  }
  return n;
}
