import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveUkeySoPin, UKEY_SO_PIN_DIGITS } from './ukey-so-pin';

const KEY = 'a-master-key-of-at-least-32-characters!';

describe('UKey SO PIN derivation', () => {
  it('is 16 decimal digits, deterministic per key, serial and generation', () => {
    const pin = deriveUkeySoPin(KEY, 'GX-UK-000123', 0);
    expect(pin).toMatch(/^\d{16}$/);
    expect(UKEY_SO_PIN_DIGITS).toBe(16);
    expect(deriveUkeySoPin(KEY, 'GX-UK-000123', 0)).toBe(pin);
    expect(deriveUkeySoPin(Buffer.from(KEY), 'GX-UK-000123', 0)).toBe(pin);
  });

  it('matches the documented construction (HMAC-SHA256 over the domain, serial and generation, mod 10^16)', () => {
    const mac = createHmac('sha256', KEY).update('ecert/ukey-so-pin/v1\u0000GX-UK-000123\u00007').digest('hex');
    expect(deriveUkeySoPin(KEY, 'GX-UK-000123', 7)).toBe((BigInt(`0x${mac}`) % 10n ** 16n).toString().padStart(16, '0'));
  });

  it('differs between tokens, generations and master keys', () => {
    const pins = new Set<string>();
    for (const serial of ['GX-UK-000123', 'GX-UK-000124', 'gx-uk-000123']) for (const g of [0, 1, 2]) pins.add(deriveUkeySoPin(KEY, serial, g));
    pins.add(deriveUkeySoPin(`${KEY}x`, 'GX-UK-000123', 0));
    expect(pins.size).toBe(10);
    // "serial|1" and "serial1|" cannot collide: the separator is not a serial character.
    expect(deriveUkeySoPin(KEY, 'ABCD1', 1)).not.toBe(deriveUkeySoPin(KEY, 'ABCD', 11));
  });

  it('keeps leading zeros (always 16 characters)', () => {
    const short = Array.from({ length: 2000 }, (_, i) => deriveUkeySoPin(KEY, `UK-${i}`, 0)).filter((p) => p.startsWith('0'));
    expect(short.length).toBeGreaterThan(0);
    for (const p of short) expect(p).toHaveLength(16);
  });

  it('refuses a short master key, a malformed serial and a bad generation', () => {
    expect(() => deriveUkeySoPin('too short', 'GX-UK-000123', 0)).toThrow(/32 bytes/);
    expect(() => deriveUkeySoPin(KEY, 'a b', 0)).toThrow(/serial/);
    expect(() => deriveUkeySoPin(KEY, 'GX-UK\u0000-1', 0)).toThrow(/serial/);
    for (const g of [-1, 1.5, Number.NaN, 2 ** 60]) expect(() => deriveUkeySoPin(KEY, 'GX-UK-000123', g)).toThrow(/generation/);
  });
});
