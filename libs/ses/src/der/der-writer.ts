import { TAG } from './der-reader';

/**
 * DER encoders for the handful of types SES uses. Output is canonical DER so that a seal ecert
 * builds, once decoded, re-encodes to the very same bytes.
 */

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One element with a single-octet tag. */
export function derTlv(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}

export const derSequence = (...content: readonly Uint8Array[]): Uint8Array => derTlv(TAG.SEQUENCE, ...content);

/** Context-specific constructed [n] around already-encoded content (EXPLICIT tagging). */
export const derExplicit = (tagNumber: number, ...content: readonly Uint8Array[]): Uint8Array => derTlv(0xa0 | tagNumber, ...content);

export function derInteger(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  const bytes: number[] = [];
  if (v >= 0n) {
    do {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    if (bytes[0]! & 0x80) bytes.unshift(0);
  } else {
    do {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v < -1n || !(bytes[0]! & 0x80));
  }
  return derTlv(TAG.INTEGER, Uint8Array.from(bytes));
}

const UTF8 = new TextEncoder();

export const derUtf8String = (s: string): Uint8Array => derTlv(TAG.UTF8_STRING, UTF8.encode(s));
export const derIa5String = (s: string): Uint8Array => derTlv(TAG.IA5_STRING, UTF8.encode(s));
export const derPrintableString = (s: string): Uint8Array => derTlv(TAG.PRINTABLE_STRING, UTF8.encode(s));
export const derOctetString = (b: Uint8Array): Uint8Array => derTlv(TAG.OCTET_STRING, b);
/** BIT STRING with zero unused bits (signatures, hashes). */
export const derBitString = (b: Uint8Array): Uint8Array => derTlv(TAG.BIT_STRING, Uint8Array.of(0), b);
export const derBoolean = (b: boolean): Uint8Array => derTlv(TAG.BOOLEAN, Uint8Array.of(b ? 0xff : 0));
export const derNull = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);

export function derOid(oid: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(oid)) throw new RangeError(`not a dotted OID: ${oid}`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs[0]! < 2n && arcs[1]! >= 40n) throw new RangeError(`second arc of ${oid} must be below 40`);
  const out: number[] = [];
  const pushArc = (arc: bigint) => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let a = arc >> 7n; a > 0n; a >>= 7n) chunk.unshift(Number(a & 0x7fn) | 0x80);
    out.push(...chunk);
  };
  pushArc(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return derTlv(TAG.OID, Uint8Array.from(out));
}
