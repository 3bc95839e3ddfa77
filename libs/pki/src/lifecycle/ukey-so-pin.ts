import { createHmac } from 'node:crypto';
import { UKEY_SERIAL_PATTERN } from './ukey-lifecycle';

/** Digits of a derived SO PIN. */
export const UKEY_SO_PIN_DIGITS = 16;

const DOMAIN = 'ecert/ukey-so-pin/v1';
const MODULUS = 10n ** BigInt(UKEY_SO_PIN_DIGITS);

/**
 * The SO (security officer, 管理员) PIN of one UKey at one generation, derived and never stored:
 *
 *   pin = decimal( HMAC-SHA256(masterKey, "ecert/ukey-so-pin/v1" ‖ 0x00 ‖ serial ‖ 0x00 ‖ generation) mod 10^16 ), 16 digits
 *
 * - Derived, not stored: the database holds no SO PIN (nor an encrypted one to steal along with
 *   its key); whoever can read `cert.ukey` learns nothing. The master key (ECERT_UKEY_SO_PIN_KEY)
 *   lives only in the cert-service's configuration, like the key-store passphrase.
 * - Per token: HMAC is a PRF, so knowing the SO PIN of one UKey (every handler of an unlock sees
 *   one) says nothing about another's or about the master key.
 * - Per generation: an unlock hands the tool the current PIN and the next one; the tool sets the
 *   token's SO PIN to the next, so the PIN it was given is worthless afterwards, and nothing has to
 *   be written but the generation counter.
 * - 16 decimal digits: UKey middleware (GM/T 0016 SKF, vendor PKCS#11 modules) commonly caps PINs at
 *   16 characters and some vendor administration tools and PIN pads take digits only; 10^16 ≈ 2^53
 *   is far beyond guessing against a token whose SO PIN locks after a handful of wrong tries. The
 *   whole 256-bit MAC is reduced, so the bias is below 2^-200.
 * - Domain-separated and versioned: the same master key can never yield anything else, and a
 *   future scheme (v2) can coexist with tokens initialised under this one.
 */
export function deriveUkeySoPin(masterKey: string | Uint8Array, serial: string, generation: number): string {
  if ((typeof masterKey === 'string' ? Buffer.byteLength(masterKey) : masterKey.length) < 32) throw new Error('the UKey SO PIN master key must be at least 32 bytes');
  if (!UKEY_SERIAL_PATTERN.test(serial)) throw new Error('UKey serial must be 4-64 letters, digits or hyphens');
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error('SO PIN generation must be a non-negative integer');
  const mac = createHmac('sha256', masterKey).update(`${DOMAIN}\u0000${serial}\u0000${generation}`, 'utf8').digest('hex');
  return (BigInt(`0x${mac}`) % MODULUS).toString().padStart(UKEY_SO_PIN_DIGITS, '0');
}
