import { TAG } from './der-reader';

/**
 * DER encoders for the handful of types SES uses. Output is canonical DER so that a seal ecert
 * builds, once decoded, re-encodes to the very same bytes.
 */

export { concatBytes, derBitString, derExplicit, derOctetString, derSequence, derTlv } from '../pki-bridge';
import { derOid as pkiDerOid } from '../pki-bridge';
import { derTlv } from '../pki-bridge';

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
export const derBoolean = (b: boolean): Uint8Array => derTlv(TAG.BOOLEAN, Uint8Array.of(b ? 0xff : 0));
export const derNull = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);

/** As @ecert/pki's, but a malformed OID is a RangeError, which the SES encoders report as SesInputError. */
export function derOid(oid: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(oid)) throw new RangeError(`not a dotted OID: ${oid}`);
  try {
    return pkiDerOid(oid);
  } catch (e) {
    throw new RangeError((e as Error).message);
  }
}
