import { ProblemCode } from '../problem/problem-codes';
import { ProblemError } from '../problem/problem';

/**
 * The `next` / `after` cursor of a keyset-paginated list: the values that place an item in the
 * list's order, opaque to callers (base64url). Only the service that made it reads it back.
 */
export function encodePageCursor(...parts: string[]): string {
  return Buffer.from(parts.join('|'), 'utf8').toString('base64url');
}

/** The parts of a cursor, each matching its pattern; anything else is a 400 naming `after`. */
export function decodePageCursor(cursor: unknown, valid: readonly RegExp[]): string[] {
  const parts = typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,256}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8').split('|') : [];
  if (parts.length !== valid.length || parts.some((p, i) => !valid[i]!.test(p))) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'after', 'after is not a cursor of this list');
  }
  return parts;
}
