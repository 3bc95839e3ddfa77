import { hmacSm3 } from '../crypto/hmac-sm3';

/**
 * What a personal certificate's 个人身份标识码 extension (1.2.156.10260.4.1.1) carries:
 * - `hash` (default): `hmac-sm3:` + 64 lower-case hex digits, HMAC-SM3 keyed with the
 *   deployment's secret salt over the 18-character resident ID (check character upper-case X).
 *   A relying system holding the salt computes the same value from the ID it knows and compares;
 *   without the salt the value cannot be brute-forced from the ~10^10 possible ID numbers.
 * - `clear`: the 18-character resident ID itself, for deployments whose relying systems must
 *   read the number from the certificate.
 */
export type PersonalIdMode = 'hash' | 'clear';

export const PERSONAL_ID_HASH_PREFIX = 'hmac-sm3:';
export const PERSONAL_ID_HASH_PATTERN = /^hmac-sm3:[0-9a-f]{64}$/;
export const RESIDENT_ID_NUMBER_PATTERN = /^\d{17}[\dX]$/;

/** The salted hash of a resident ID number, as written into certificates in `hash` mode. */
export function personalIdHash(idNumber: string, salt: string): string {
  const id = idNumber.trim().toUpperCase();
  if (!RESIDENT_ID_NUMBER_PATTERN.test(id)) throw new Error('not an 18-character resident ID number');
  if (!salt) throw new Error('the personal ID salt is empty');
  const mac = hmacSm3(new TextEncoder().encode(salt), new TextEncoder().encode(id));
  return PERSONAL_ID_HASH_PREFIX + Buffer.from(mac).toString('hex');
}

export type PersonalIdCode = { kind: 'clear'; idNumber: string } | { kind: 'hash'; hash: string };

/** Classifies an extension value (or a stored one); undefined when it is neither form. */
export function classifyPersonalIdCode(value: string): PersonalIdCode | undefined {
  if (RESIDENT_ID_NUMBER_PATTERN.test(value)) return { kind: 'clear', idNumber: value };
  if (PERSONAL_ID_HASH_PATTERN.test(value)) return { kind: 'hash', hash: value };
  return undefined;
}

