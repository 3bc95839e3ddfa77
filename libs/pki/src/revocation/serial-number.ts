import { unsignedIntegerContent } from '../der/der-writer';
import { RevocationInputError } from './revocation-input-error';

/**
 * A certificate serial as the CA stores it: the unsigned big-endian value as bytes, or as hex
 * (case-insensitive, no separators). ecert issues positive serials only (RFC 5280 §4.1.2.2), so
 * the DER INTEGER is that value with the sign byte added when needed.
 */
export type SerialInput = Uint8Array | string;

/** RFC 5280 §4.1.2.2: conforming CAs use serials of at most 20 octets (as encoded). */
export const MAX_SERIAL_OCTETS = 20;

const HEX = /^[0-9a-fA-F]+$/;

/** DER INTEGER content bytes of a serial; throws RevocationInputError on bad input. */
export function serialIntegerContent(serial: SerialInput, field = 'serial'): Uint8Array {
  let magnitude: Uint8Array;
  if (typeof serial === 'string') {
    // Buffer.from(hex) silently stops at the first bad character: validate first.
    if (!HEX.test(serial)) throw new RevocationInputError(field, 'serial must be non-empty hex', '证书序列号格式错误');
    magnitude = Buffer.from(serial.length % 2 ? `0${serial}` : serial, 'hex');
  } else if (serial instanceof Uint8Array && serial.length > 0) {
    magnitude = serial;
  } else {
    throw new RevocationInputError(field, 'serial must be non-empty bytes or hex', '证书序列号格式错误');
  }
  const content = unsignedIntegerContent(magnitude);
  if (content.length > MAX_SERIAL_OCTETS) {
    throw new RevocationInputError(field, `serial longer than ${MAX_SERIAL_OCTETS} octets`, '证书序列号过长');
  }
  if (content.length === 1 && content[0] === 0) {
    throw new RevocationInputError(field, 'serial must be positive', '证书序列号必须为正数');
  }
  return content;
}

/**
 * Canonical lookup key of a serial: lower-case hex of the value, without sign or padding bytes
 * (so `00A1`, `a1` and Uint8Array [0xa1] all give `a1`). Use it to key maps of CRL entries and to
 * match OCSP CertIDs.
 */
export function serialKey(serial: SerialInput): string {
  let hex: string;
  if (typeof serial === 'string') {
    if (!HEX.test(serial)) throw new RevocationInputError('serial', 'serial must be non-empty hex', '证书序列号格式错误');
    hex = serial.length % 2 ? `0${serial.toLowerCase()}` : serial.toLowerCase();
  } else {
    if (!(serial instanceof Uint8Array) || serial.length === 0) {
      throw new RevocationInputError('serial', 'serial must be non-empty bytes or hex', '证书序列号格式错误');
    }
    hex = Buffer.from(serial.buffer, serial.byteOffset, serial.length).toString('hex');
  }
  let i = 0;
  while (i < hex.length - 2 && hex.charCodeAt(i) === 0x30 && hex.charCodeAt(i + 1) === 0x30) i += 2;
  return hex.slice(i);
}
