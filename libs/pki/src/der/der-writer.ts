/**
 * DER encoding primitives shared by certificates, CRLs, OCSP and SES seals. Written by hand rather
 * than through a schema library because the hot paths (100k-entry CRLs, per-request OCSP answers)
 * cannot afford an object per field, and because bytes copied through untouched (names, CertIDs,
 * nonces, signed TBS) must never be re-encoded.
 */

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Number of bytes the DER length field takes for a content of `length` bytes. */
export function derLengthSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

/** Total size of a TLV with a one-byte tag and `contentLength` bytes of content. */
export function derTlvSize(contentLength: number): number {
  return 1 + derLengthSize(contentLength) + contentLength;
}

/** Writes tag + length at `offset` and returns the offset of the first content byte. */
export function writeDerHeader(out: Uint8Array, offset: number, tag: number, length: number): number {
  out[offset++] = tag;
  if (length < 0x80) {
    out[offset++] = length;
    return offset;
  }
  const size = derLengthSize(length) - 1;
  out[offset++] = 0x80 | size;
  for (let i = size - 1; i >= 0; i--) out[offset++] = (length >>> (8 * i)) & 0xff;
  return offset;
}

/** One TLV with a single-byte tag around the concatenated parts. */
export function derTlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(derTlvSize(length));
  let offset = writeDerHeader(out, 0, tag, length);
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export const derSequence = (...parts: readonly Uint8Array[]): Uint8Array => derTlv(0x30, ...parts);
export const derOctetString = (content: Uint8Array): Uint8Array => derTlv(0x04, content);
/** BIT STRING with zero unused bits (signatures, key bits). */
export const derBitString = (content: Uint8Array): Uint8Array => derTlv(0x03, Uint8Array.of(0), content);
/** `[n]` EXPLICIT (constructed context tag). */
export const derExplicit = (n: number, ...parts: readonly Uint8Array[]): Uint8Array => derTlv(0xa0 | n, ...parts);
export const DER_NULL: Uint8Array = Uint8Array.of(0x05, 0x00);
export const DER_TRUE: Uint8Array = Uint8Array.of(0x01, 0x01, 0xff);

/** ENUMERATED for the small values OCSP and CRL reason codes use. */
export function derEnumerated(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 127) throw new RangeError(`ENUMERATED out of range: ${value}`);
  return Uint8Array.of(0x0a, 0x01, value);
}

/**
 * Content bytes of a non-negative INTEGER given as an unsigned big-endian magnitude: leading
 * zero bytes dropped, one 0x00 added when the top bit is set (else it would read as negative).
 */
export function unsignedIntegerContent(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return Uint8Array.of(0);
  if (trimmed[0]! & 0x80) {
    const out = new Uint8Array(trimmed.length + 1);
    out.set(trimmed, 1);
    return out;
  }
  return trimmed;
}

/** INTEGER from a non-negative bigint (CRL numbers). */
export function derUnsignedInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative INTEGER not supported here');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return derTlv(0x02, unsignedIntegerContent(Buffer.from(hex, 'hex')));
}

/** OBJECT IDENTIFIER from dotted form. Called at module load for constants, so clarity over speed. */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`Bad OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! > 39n)) throw new Error(`Bad OID ${dotted}`);
  const bytes: number[] = [];
  const push = (arc: bigint): void => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    bytes.push(...chunk);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return derTlv(0x06, Uint8Array.from(bytes));
}

/** DER of OIDs used again and again (extension ids, curves): derOid once per OID, at most 256 kept. */
const OID_DER = new Map<string, Uint8Array>();

export function derOidCached(dotted: string): Uint8Array {
  let der = OID_DER.get(dotted);
  if (!der) {
    der = derOid(dotted);
    if (OID_DER.size < 256) OID_DER.set(dotted, der);
  }
  return der;
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function derExtension(oidDer: Uint8Array, critical: boolean, valueDer: Uint8Array): Uint8Array {
  return critical
    ? derSequence(oidDer, DER_TRUE, derOctetString(valueDer))
    : derSequence(oidDer, derOctetString(valueDer));
}

/** Size of the Time written by {@link writeX509Time}: UTCTime 13 + 2, GeneralizedTime 15 + 2. */
export function x509TimeSize(date: Date): number {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? 15 : 17;
}

function writeDigits(out: Uint8Array, offset: number, value: number, digits: number): number {
  for (let i = digits - 1; i >= 0; i--) {
    out[offset + i] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
  return offset + digits;
}

function writeTimeBody(out: Uint8Array, offset: number, date: Date, fourDigitYear: boolean): number {
  const year = date.getUTCFullYear();
  offset = fourDigitYear ? writeDigits(out, offset, year, 4) : writeDigits(out, offset, year % 100, 2);
  offset = writeDigits(out, offset, date.getUTCMonth() + 1, 2);
  offset = writeDigits(out, offset, date.getUTCDate(), 2);
  offset = writeDigits(out, offset, date.getUTCHours(), 2);
  offset = writeDigits(out, offset, date.getUTCMinutes(), 2);
  offset = writeDigits(out, offset, date.getUTCSeconds(), 2);
  out[offset++] = 0x5a; // 'Z'
  return offset;
}

function assertEncodableDate(date: Date): void {
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) throw new RangeError(`Date cannot be encoded: ${String(date)}`);
}

/**
 * RFC 5280 §4.1.2.5 / §5.1.2.4 Time: UTCTime for 1950–2049, GeneralizedTime otherwise; whole
 * seconds in UTC (DER forbids fractional zeros and local time). Returns the offset after it.
 */
export function writeX509Time(out: Uint8Array, offset: number, date: Date): number {
  assertEncodableDate(date);
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) {
    out[offset] = 0x17;
    out[offset + 1] = 13;
    return writeTimeBody(out, offset + 2, date, false);
  }
  out[offset] = 0x18;
  out[offset + 1] = 15;
  return writeTimeBody(out, offset + 2, date, true);
}

export function derX509Time(date: Date): Uint8Array {
  const out = Buffer.allocUnsafe(x509TimeSize(date));
  writeX509Time(out, 0, date);
  return out;
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (OCSP times, CRL invalidity dates always use this form). */
export function writeGeneralizedTime(out: Uint8Array, offset: number, date: Date): number {
  assertEncodableDate(date);
  out[offset] = 0x18;
  out[offset + 1] = 15;
  return writeTimeBody(out, offset + 2, date, true);
}

export function derGeneralizedTime(date: Date): Uint8Array {
  const out = Buffer.allocUnsafe(17);
  writeGeneralizedTime(out, 0, date);
  return out;
}
