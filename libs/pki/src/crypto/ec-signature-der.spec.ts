import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigIntToBytes, decodeEcSignature, encodeEcSignature, rawEcSignatureToDer } from './ec-signature-der';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('EC signature DER codec', () => {
  it('encodes minimal positive INTEGERs', () => {
    expect(hex(encodeEcSignature(1n, 0x80n))).toBe('3007020101020200' + '80');
    expect(hex(encodeEcSignature(0x7fn, 0x0100n))).toBe('300702017f02020100');
    expect(() => encodeEcSignature(0n, 1n)).toThrow(RangeError);
  });

  it('agrees with OpenSSL on raw ↔ DER (P-256 and P-384)', () => {
    for (const namedCurve of ['P-256', 'P-384']) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve });
      for (let i = 0; i < 20; i++) {
        const data = Buffer.from(`m${i}`);
        const der = sign(null, data, { key: privateKey, dsaEncoding: 'der' });
        const { r, s } = decodeEcSignature(der)!;
        const size = namedCurve === 'P-256' ? 32 : 48;
        const raw = Buffer.concat([bigIntToBytes(r, size), bigIntToBytes(s, size)]);
        expect(hex(rawEcSignatureToDer(raw))).toBe(hex(der));
        expect(hex(encodeEcSignature(r, s))).toBe(hex(der));
      }
    }
  });

  it('long-form lengths round-trip (P-521 size)', () => {
    const big = (1n << 520n) + 12345n;
    const der = encodeEcSignature(big, big - 1n);
    expect(der[1]).toBe(0x81);
    expect(decodeEcSignature(der)).toEqual({ r: big, s: big - 1n });
  });

  it('rejects BER and garbage', () => {
    const good = encodeEcSignature(0x1234n, 0x5678n); // 30 08 02 02 12 34 02 02 56 78
    expect(decodeEcSignature(good)).toEqual({ r: 0x1234n, s: 0x5678n });
    const cases = [
      '300802021234020256', // truncated
      '30080202123402025678' + '00', // trailing
      '3009020300123402025678', // non-minimal integer
      '300802028234020256 78'.replace(' ', ''), // negative r
      '30810802021234020256 78'.replace(' ', ''), // non-minimal length
      '310802021234020256 78'.replace(' ', ''), // SET, not SEQUENCE
      '3008040212340202 5678'.replace(' ', ''), // OCTET STRING r
      '30070200020356780000', // empty INTEGER
    ];
    for (const c of cases) expect(decodeEcSignature(Buffer.from(c, 'hex')), c).toBeUndefined();
  });
});
