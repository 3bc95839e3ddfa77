import { ProblemCode } from '../problem/problem-codes';
import { ProblemError } from '../problem/problem';

/**
 * The `next` / `after` cursor of a keyset-paginated list: the values that place an item in the
 * list's order, opaque to callers (base64url). Only the service that made it reads it back, and it
 * holds the position itself (never a row to look up, which could be another scope's).
 */
export function encodePageCursor(...parts: string[]): string {
  return Buffer.from(parts.join('|'), 'utf8').toString('base64url');
}

/** A part of a cursor: matching a pattern, or passing a check. */
export type CursorPart = RegExp | ((part: string) => boolean);

/** The parts of a cursor, each valid by its check; anything else is a 400 naming `after`. */
export function decodePageCursor(cursor: unknown, valid: readonly CursorPart[]): string[] {
  const parts = typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,256}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8').split('|') : [];
  if (parts.length !== valid.length || parts.some((p, i) => !isValid(valid[i]!, p))) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'after', 'after is not a cursor of this list');
  }
  return parts;
}

const isValid = (check: CursorPart, part: string) => (check instanceof RegExp ? check.test(part) : check(part));

/**
 * A cursor's time: UTC with microseconds, as cursorTimeSql (libs/database) writes it, and a real
 * instant (no 30 February) — PostgreSQL would otherwise refuse it as a 500.
 */
export function isCursorTime(part: string): boolean {
  if (!/^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(part)) return false;
  const d = new Date(`${part.slice(0, 23)}Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 23) === part.slice(0, 23);
}
