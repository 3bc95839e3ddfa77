/**
 * DER `SEQUENCE { r INTEGER, s INTEGER }` (SEC 1 / RFC 3279 Ecdsa-Sig-Value, also used by SM2 per
 * GM/T 0009) encoder and strict decoder. Hand-written because it runs once per signature on the
 * signing hot path, and because verifiers must reject BER variants (non-minimal lengths or
 * integers, trailing bytes) to avoid signature malleability.
 */

/** DER-encodes (r, s); both must be positive. */
export function encodeEcSignature(r: bigint, s: bigint): Uint8Array {
  const ri = derUnsignedInteger(r);
  const si = derUnsignedInteger(s);
  const body = ri.length + si.length;
  const lenBytes = derLength(body);
  const out = new Uint8Array(1 + lenBytes.length + body);
  out[0] = 0x30;
  out.set(lenBytes, 1);
  out.set(ri, 1 + lenBytes.length);
  out.set(si, 1 + lenBytes.length + ri.length);
  return out;
}

/** Decodes a strict-DER signature; undefined for anything malformed (callers treat it as a bad signature). */
export function decodeEcSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  const seq = readLength(der, 1);
  if (!seq || seq.start + seq.length !== der.length) return undefined;
  const r = readPositiveInteger(der, seq.start);
  if (!r) return undefined;
  const s = readPositiveInteger(der, r.end);
  if (!s || s.end !== der.length) return undefined;
  return { r: r.value, s: s.value };
}

/** PKCS#11 / WebCrypto raw `r || s` (each `size` bytes) to DER. */
export function rawEcSignatureToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new RangeError(`raw ECDSA signature has odd length ${raw.length}`);
  const half = raw.length / 2;
  return encodeEcSignature(bytesToBigInt(raw.subarray(0, half)), bytesToBigInt(raw.subarray(half)));
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex'));
}

/** Big-endian, left-padded to `size` bytes. */
export function bigIntToBytes(value: bigint, size: number): Uint8Array {
  const hex = value.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError(`integer does not fit in ${size} bytes`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function derUnsignedInteger(v: bigint): Uint8Array {
  if (v <= 0n) throw new RangeError('signature components must be positive');
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  // A leading 0x00 keeps the INTEGER positive when the top bit is set.
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const content = Buffer.from(hex, 'hex');
  const len = derLength(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = 0x02;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  return Uint8Array.of(0x82, n >> 8, n & 0xff);
}

function readLength(buf: Uint8Array, at: number): { length: number; start: number } | undefined {
  if (at >= buf.length) return undefined;
  const first = buf[at]!;
  if (first < 0x80) return { length: first, start: at + 1 };
  if (first === 0x81) {
    if (at + 1 >= buf.length) return undefined;
    const n = buf[at + 1]!;
    if (n < 0x80) return undefined; // non-minimal
    return { length: n, start: at + 2 };
  }
  if (first === 0x82) {
    if (at + 2 >= buf.length) return undefined;
    const n = (buf[at + 1]! << 8) | buf[at + 2]!;
    if (n < 0x100) return undefined;
    return { length: n, start: at + 3 };
  }
  return undefined; // no EC signature needs more
}

function readPositiveInteger(buf: Uint8Array, at: number): { value: bigint; end: number } | undefined {
  if (buf[at] !== 0x02) return undefined;
  const len = readLength(buf, at + 1);
  if (!len || len.length === 0) return undefined;
  const end = len.start + len.length;
  if (end > buf.length) return undefined;
  const c = buf.subarray(len.start, end);
  if (c[0]! & 0x80) return undefined; // negative
  if (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80)) return undefined; // non-minimal
  return { value: bytesToBigInt(c), end };
}
