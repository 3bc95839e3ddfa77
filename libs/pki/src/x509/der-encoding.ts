/**
 * Minimal DER reader (the writer is ../der/der-writer) for the few places where bytes must be copied through untouched
 * (issuer/subject names, SPKI, the signed TBS) instead of being re-encoded by a schema library:
 * a re-encoding that differs by one byte breaks name chaining or the signature.
 */

export { concatBytes, derBitString, derSequence, derTlv } from '../der/der-writer';

export interface DerElement {
  tag: number;
  /** Offset of the first content byte within the input. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

/**
 * Reads the header of the element at `offset` with definite DER length rules (no indefinite
 * length, no long-form for short lengths, no leading zero length bytes) and checks it fits.
 * Returns undefined on anything malformed or truncated: callers turn that into their own error.
 */
export function readDerElement(bytes: Uint8Array, offset = 0): DerElement | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags never occur in our structures
  let pos = offset + 1;
  const first = bytes[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || pos + count > bytes.length) return undefined;
    if (bytes[pos] === 0) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
    if (length < 0x80) return undefined;
  }
  const end = pos + length;
  if (end > bytes.length) return undefined;
  return { tag, contentStart: pos, end };
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
