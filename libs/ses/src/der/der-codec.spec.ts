import { describe, expect, it } from 'vitest';
import { SesDecodeError } from '../ses-errors';
import { newDecodeContext, readOid, readSingleNode, readSmallInteger, readString, TAG } from './der-reader';
import { derGeneralizedTime, derUtcTime, readTime } from './der-time';
import { derInteger, derOid, derTlv } from './der-writer';

const ascii = (s: string) => new TextEncoder().encode(s);
const time = (tag: number, s: string) => {
  const ctx = newDecodeContext();
  return { date: readTime(readSingleNode(derTlv(tag, ascii(s)), 't'), 't', 'time', ctx), warnings: ctx.warnings };
};

describe('DER primitives', () => {
  it('INTEGER round trip, including the sign octet', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 40, 0x7fffffff, -1, -128, -129]) {
      expect(readSmallInteger(readSingleNode(derInteger(n), 'i'), 'i', 'n')).toBe(n);
    }
    expect(Buffer.from(derInteger(128)).toString('hex')).toBe('02020080');
  });

  it('OID round trip (SM2-with-SM3, large arcs)', () => {
    for (const oid of ['1.2.156.10197.1.501', '1.3.6.1.4.1.54706.1', '2.999.1', '1.2.156.112600.7.3']) {
      expect(readOid(readSingleNode(derOid(oid), 'o'), 'o', 'oid')).toBe(oid);
    }
    expect(Buffer.from(derOid('1.2.156.10197.1.501')).toString('hex')).toBe('06082a811ccf55018375');
  });

  it('GeneralizedTime and UTCTime, written canonically', () => {
    const d = new Date('2020-02-26T06:15:54.900Z');
    expect(new TextDecoder().decode(derGeneralizedTime(d).subarray(2))).toBe('20200226061554Z');
    expect(new TextDecoder().decode(derUtcTime(d).subarray(2))).toBe('200226061554Z');
    expect(() => derUtcTime(new Date('2050-01-01T00:00:00Z'))).toThrow(RangeError);
  });

  it('reads both time types, with fractions and offsets, and warns on non-canonical forms', () => {
    expect(time(TAG.GENERALIZED_TIME, '20200226061554Z')).toEqual({ date: new Date('2020-02-26T06:15:54Z'), warnings: [] });
    expect(time(TAG.UTC_TIME, '491231235959Z').date).toEqual(new Date('2049-12-31T23:59:59Z'));
    expect(time(TAG.UTC_TIME, '500101000000Z').date).toEqual(new Date('1950-01-01T00:00:00Z'));
    const frac = time(TAG.GENERALIZED_TIME, '20200226141554.25+0800');
    expect(frac.date).toEqual(new Date('2020-02-26T06:15:54.250Z'));
    expect(frac.warnings).toHaveLength(1);
    expect(time(TAG.GENERALIZED_TIME, '20200226061554').warnings[0]).toMatch(/no time zone/);
    expect(() => time(TAG.GENERALIZED_TIME, '2020-02-26')).toThrow(SesDecodeError);
  });

  it('strings: UTF-8 in IA5String and BMPString are read with a warning', () => {
    const ctx = newDecodeContext();
    expect(readString(readSingleNode(derTlv(TAG.IA5_STRING, ascii('印章')), 's'), 's', 'name', [TAG.IA5_STRING], ctx)).toBe('印章');
    const bmp = Uint8Array.of(0x1e, 4, 0x53, 0x70, 0x7a, 0xe0); // 印章
    expect(readString(readSingleNode(bmp, 's'), 's', 'name', [TAG.UTF8_STRING], ctx)).toBe('印章');
    expect(ctx.warnings).toHaveLength(2);
  });

  it('non-minimal lengths are accepted with a warning; oversize lengths are typed errors', () => {
    const ctx = newDecodeContext();
    expect(readSingleNode(Uint8Array.of(0x04, 0x81, 0x01, 0xaa), 'x', ctx).content).toEqual(Uint8Array.of(0xaa));
    expect(ctx.warnings[0]).toMatch(/non-minimal length/);
    expect(() => readSingleNode(Uint8Array.of(0x04, 0x85, 1, 1, 1, 1, 1), 'x')).toThrow(SesDecodeError);
    expect(() => readSingleNode(Uint8Array.of(0x04, 0x84, 0x7f, 0xff, 0xff, 0xff), 'x')).toThrow(/TRUNCATED|content octets/);
  });
});
