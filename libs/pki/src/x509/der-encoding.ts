import { DerReadError, DerReader, type DerElement } from '../der/der-reader';
/**
 * Minimal DER reader (the writer is ../der/der-writer) for the few places where bytes must be copied through untouched
 * (issuer/subject names, SPKI, the signed TBS) instead of being re-encoded by a schema library:
 * a re-encoding that differs by one byte breaks name chaining or the signature.
 */

export { concatBytes, derBitString, derSequence, derTlv } from '../der/der-writer';

export type { DerElement } from '../der/der-reader';

/**
 * The element at `offset` under strict DER length rules (see DerReader), or undefined on anything
 * malformed or truncated: callers turn that into their own error.
 */
export function readDerElement(bytes: Uint8Array, offset = 0): DerElement | undefined {
  try {
    return new DerReader(bytes, offset).read();
  } catch (e) {
    if (e instanceof DerReadError) return undefined;
    throw e;
  }
}

/** True when `bytes` is exactly one DER element with the given tag and nothing trailing. */
export function isSingleDerElement(bytes: Uint8Array, tag: number): boolean {
  const el = readDerElement(bytes, 0);
  return el !== undefined && el.tag === tag && el.end === bytes.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
