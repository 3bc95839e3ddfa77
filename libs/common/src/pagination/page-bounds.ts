import { ProblemCode } from '../problem/problem-codes';
import { ProblemError } from '../problem/problem';

/**
 * The last page number any list serves. Beyond it an offset page costs a scan of everything before
 * it (and a page near 2^63 overflows PostgreSQL's OFFSET): deeper reading follows `next`/`after`.
 * The gateway's PageQueryDto states it; each service checks it again, trusting no caller.
 */
export const MAX_PAGE = 10_000;

/** The largest page size of the ordinary lists. */
export const MAX_LIST_PAGE_SIZE = 100;

/**
 * `page` and `pageSize` of a list query, defaulted (1, 20) and checked: integers, 1 ≤ page ≤
 * MAX_PAGE, 1 ≤ pageSize ≤ maxPageSize. Anything else is a 400 naming the field.
 */
export function pageBounds(q: { page?: unknown; pageSize?: unknown } | undefined, maxPageSize: number = MAX_LIST_PAGE_SIZE): { page: number; pageSize: number } {
  const page = q?.page === undefined ? 1 : q.page;
  const pageSize = q?.pageSize === undefined ? 20 : q.pageSize;
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 1 || page > MAX_PAGE) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'page', `page must be an integer 1-${MAX_PAGE}; read further with next/after`);
  }
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'pageSize', `pageSize must be an integer 1-${maxPageSize}`);
  }
  return { page, pageSize };
}
