import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sm3 as sm3Js } from 'sm-crypto-v2';
import { SM3_IS_NATIVE, sm3 } from './sm3';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);

describe('sm3', () => {
  it('uses OpenSSL on this platform', () => {
    expect(SM3_IS_NATIVE).toBe(true);
  });

  it('matches the GB/T 32905 examples', () => {
    expect(hex(sm3(ascii('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(hex(sm3(ascii('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('hashes the concatenation of its arguments', () => {
    const a = randomBytes(37);
    const b = randomBytes(100);
    expect(hex(sm3(a, b))).toBe(hex(sm3(Buffer.concat([a, b]))));
    expect(hex(sm3())).toBe(hex(sm3(new Uint8Array(0))));
  });

  it('agrees with the independent sm-crypto-v2 implementation', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 1000]) {
      const data = randomBytes(len);
      expect(hex(sm3(data))).toBe(sm3Js(new Uint8Array(data)));
    }
  });
});
