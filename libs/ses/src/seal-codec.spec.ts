/**
 * Decoder robustness (truncated, garbage, wrong version → typed SesDecodeError, never a crash) and
 * the encoding quirks of real data (each produced here on purpose, signed, and verified).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SesDecodeError,
  decodeSeal,
  decodeSesSignature,
  detectSealVersion,
  encodeSeal,
  verifySeal,
  verifySesSignature,
  type CheckResult,
  type DecodedSeal,
  type SesSealInfo,
} from './index';
import { createTestPki, ecertMakerTrust, signSeal, testSealV4, type TestPki } from './test-pki.spec-helper';

const VECTORS = fileURLToPath(new URL('../../../test/fixtures/seals/', import.meta.url));
const vector = (name: string) => new Uint8Array(readFileSync(`${VECTORS}${name}`));
const V4 = '05_ofdrw_generated_v4_type3_png_UserV4.esl';
const V1 = '07_ofdrw_generated_v1_UserV1.esl';
const SIG = '02_tax_gomain_v4_SES_Signature.dat';

const checkOf = (report: { checks: readonly { name: string; result: CheckResult }[] }, name: string) =>
  report.checks.find((c) => c.name === name)?.result;

function decodeError(fn: () => unknown): SesDecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SesDecodeError);
    return err as SesDecodeError;
  }
  throw new Error('expected a SesDecodeError, decoding succeeded');
}

/** Deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

/** Re-wraps `content` in a SEQUENCE with a correct length, so truncation hits the inner elements. */
function rewrap(content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Uint8Array.from([0x30, ...len, ...content]);
}

describe('decoding bad input', () => {
  it.each([V4, V1, SIG])('%s: every truncation is a TRUNCATED SesDecodeError', (name) => {
    const der = vector(name);
    for (let k = 0; k < der.length; k += k < 300 ? 1 : 97) {
      const err = decodeError(() => (name === SIG ? decodeSesSignature(der.subarray(0, k)) : decodeSeal(der.subarray(0, k))));
      expect(err.code).toBe('TRUNCATED');
    }
  });

  it.each([V4, V1, SIG])('%s: truncation inside nested elements (outer length fixed) is a typed error', (name) => {
    const der = vector(name);
    const headerLength = 4; // 30 82 xx xx
    for (let k = headerLength + 1; k < der.length; k += 53) {
      const cut = rewrap(der.subarray(headerLength, k));
      const err = decodeError(() => (name === SIG ? decodeSesSignature(cut) : decodeSeal(cut)));
      expect(['TRUNCATED', 'UNEXPECTED_STRUCTURE', 'UNSUPPORTED_VERSION', 'MALFORMED_DER']).toContain(err.code);
      expect(err.message).toMatch(/^电子印章数据格式错误 \(invalid seal data at SES_(Seal|Signature)/);
    }
  });

  it('random garbage never crashes: SesDecodeError or a decoded seal', () => {
    const rand = prng(38540);
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rand() * 64);
      const bytes = Uint8Array.from({ length: len }, () => Math.floor(rand() * 256));
      if (i % 2) bytes[0] = 0x30; // make it look like a SEQUENCE half the time
      for (const decode of [decodeSeal, decodeSesSignature]) {
        try {
          decode(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(SesDecodeError);
        }
      }
      expect(() => detectSealVersion(bytes)).not.toThrow();
    }
  });

  it('bit flips in real seals: decoding throws only SesDecodeError, verification never throws', async () => {
    const rand = prng(31);
    for (const name of [V4, V1, '04_dms360_hrss_v1_type1_png_Seal.esl', SIG]) {
      const der = vector(name);
      for (let i = 0; i < 150; i++) {
        const bad = der.slice();
        // Bias towards the structure-heavy start of the file, where flips change tags and lengths.
        const at = Math.floor(rand() ** 3 * bad.length);
        bad[at]! ^= 1 << Math.floor(rand() * 8);
        try {
          name === SIG ? decodeSesSignature(bad) : decodeSeal(bad);
        } catch (err) {
          expect(err).toBeInstanceOf(SesDecodeError);
        }
        const report = name === SIG ? await verifySesSignature(bad, { at: new Date('2021-06-01') }) : await verifySeal(bad, { at: new Date('2021-06-01') });
        expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE']).toContain(report.indication);
        expect(report.checks.length).toBeGreaterThan(0);
      }
    }
  });

  it('empty input, indefinite length, trailing bytes, non-bytes', () => {
    expect(decodeError(() => decodeSeal(new Uint8Array(0))).code).toBe('TRUNCATED');
    expect(decodeError(() => decodeSeal(Uint8Array.of(0x30, 0x80, 0x00, 0x00))).code).toBe('MALFORMED_DER');
    expect(decodeError(() => decodeSeal(Uint8Array.from([...vector(V4), 0]))).code).toBe('TRAILING_DATA');
    expect(decodeError(() => decodeSeal('MII...' as unknown as Uint8Array)).code).toBe('MALFORMED_DER');
  });

  it('wrong version: a 3-field SES_Seal is UNSUPPORTED_VERSION', () => {
    const seal = decodeSeal(vector(V4));
    const threeFields = rewrap(Uint8Array.from([...seal.sealInfoDer, 0x04, 0x00, 0x03, 0x01, 0x00]));
    const err = decodeError(() => decodeSeal(threeFields));
    expect(err.code).toBe('UNSUPPORTED_VERSION');
    expect(err.message).toMatch(/3 fields: neither GM\/T 0031 v1 \(2 fields\) nor GB\/T 38540 v4 \(4 fields\)/);
  });

  it('wrong version: expectedVersion is enforced', () => {
    expect(decodeError(() => decodeSeal(vector(V1), { expectedVersion: 4 })).code).toBe('UNSUPPORTED_VERSION');
    expect(decodeSeal(vector(V1), { expectedVersion: 1 }).version).toBe(1);
  });

  it('a signature where a seal is expected, and the reverse, say so', () => {
    expect(decodeError(() => decodeSeal(vector(SIG))).message).toMatch(/this is an SES_Signature/);
    expect(decodeError(() => decodeSesSignature(vector(V4))).message).toMatch(/this is an SES_Seal/);
  });

  it('a wrong field type names its path', () => {
    const der = vector(V4).slice();
    der[29] = 0x13; // esID IA5String → PrintableString: tolerated with a warning
    expect(decodeSeal(der).warnings.join()).toMatch(/esID encoded with string tag 0x13/);
    der[29] = 0x04; // → OCTET STRING: not a string at all
    const err = decodeError(() => decodeSeal(der));
    expect(err.code).toBe('UNEXPECTED_STRUCTURE');
    expect(err.path).toBe('SES_Seal.eSealInfo.esID');
  });

  it('verifySeal/verifySesSignature report undecodable input as a failed format check', async () => {
    const report = await verifySeal(Uint8Array.of(1, 2, 3));
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.checks).toEqual([{ name: 'format', result: 'failed', detail: expect.stringMatching(/invalid seal data at SES_Seal/) }]);
    const sigReport = await verifySesSignature(vector(V4));
    expect(sigReport.checks[0]).toMatchObject({ name: 'format', result: 'failed' });
  });
});

describe('detectSealVersion', () => {
  it('detects by structure', () => {
    expect(detectSealVersion(vector(V4))).toBe(4);
    expect(detectSealVersion(vector(V1))).toBe(1);
    expect(detectSealVersion(vector(SIG))).toBeUndefined();
    expect(detectSealVersion(new Uint8Array(0))).toBeUndefined();
    expect(detectSealVersion(Uint8Array.of(0x30, 0x00))).toBeUndefined();
  });
});

describe('quirks of real data, produced on purpose and verified', () => {
  let pki: TestPki;
  let seal: DecodedSeal;
  let info: SesSealInfo;
  const trust = () => ({ trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], makerTrust: [ecertMakerTrust(pki)] });

  beforeAll(async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    pki = await createTestPki(now);
    seal = decodeSeal(await testSealV4(pki, { name: '测试章' }, now));
    info = seal.sealInfo;
  });

  it.each(['algorithm-identifier', 'algorithm-identifier-null'] as const)('signature algorithm as %s (v4 and v1)', async (form) => {
    for (const version of [4, 1] as const) {
      const der = await signSeal(info, version, pki.maker, form);
      const decoded = decodeSeal(der);
      expect(decoded.signatureAlgorithmOid).toBe('1.2.156.10197.1.501');
      expect(decoded.signatureAlgorithmForm).toBe(form);
      expect(Buffer.from(encodeSeal(decoded)).equals(Buffer.from(der))).toBe(true);
      expect(checkOf(await verifySeal(der, trust()), 'maker-signature')).toBe('passed');
    }
  });

  it.each(['png', 'Png', 'PNG'])('picture type "%s" is recognised in any case', async (type) => {
    const der = await signSeal({ ...info, picture: { ...info.picture, type } }, 4, pki.maker);
    const report = await verifySeal(der, trust());
    expect(report.picture).toMatchObject({ type, format: 'png' });
    expect(checkOf(report, 'picture')).toBe('passed');
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('explicit `critical FALSE` in ExtData is kept, signed over, and verifies', async () => {
    const extDatas = [{ extnId: '1.2.156.112600.7.1', critical: false, explicitCriticalFalse: true, extnValue: Uint8Array.of(1) }];
    const der = await signSeal({ ...info, extDatas }, 4, pki.maker);
    const decoded = decodeSeal(der);
    expect(decoded.sealInfo.extDatas).toEqual(extDatas);
    expect(Buffer.from(encodeSeal(decoded)).equals(Buffer.from(der))).toBe(true);
    expect((await verifySeal(der, trust())).indication).toBe('TOTAL_PASSED');
  });

  it('version is taken from the structure, not the header: a v4 layout with header version 1', async () => {
    const der = await signSeal({ ...info, header: { ...info.header, version: 1 } }, 4, pki.maker);
    expect(detectSealVersion(der)).toBe(4);
    const decoded = decodeSeal(der);
    expect(decoded.version).toBe(4);
    expect(decoded.warnings.join()).toMatch(/v4 structure but header version 1/);
    const report = await verifySeal(der, trust());
    expect(checkOf(report, 'maker-signature')).toBe('passed');
    expect(checkOf(report, 'header')).toBe('indeterminate');
  });

  it('a picture that is not what its type says is reported, not fatal', async () => {
    const der = await signSeal({ ...info, picture: { ...info.picture, type: 'GIF' } }, 4, pki.maker);
    const report = await verifySeal(der, trust());
    expect(checkOf(report, 'picture')).toBe('indeterminate');
    expect(checkOf(report, 'maker-signature')).toBe('passed');
  });

  it('an empty certificate list fails the cert-list check', async () => {
    const der = await signSeal({ ...info, property: { ...info.property, certList: { type: 1, certs: [] } } }, 4, pki.maker);
    expect(checkOf(await verifySeal(der, trust()), 'cert-list')).toBe('failed');
  });

  it('a header ID other than "ES" fails the header check', async () => {
    const der = await signSeal({ ...info, header: { ...info.header, id: 'XX' } }, 4, pki.maker);
    const report = await verifySeal(der, trust());
    expect(checkOf(report, 'header')).toBe('failed');
    expect(report.indication).toBe('TOTAL_FAILED');
  });
});

describe('input buffers', () => {
  it('a Node Buffer decodes to plain Uint8Arrays that do not alias it', () => {
    const buf = readFileSync(`${VECTORS}${V4}`);
    const seal = decodeSeal(buf);
    expect(Object.getPrototypeOf(seal.cert)).toBe(Uint8Array.prototype);
    const before = Buffer.from(seal.sealInfo.picture.data);
    buf.fill(0);
    expect(Buffer.from(seal.sealInfo.picture.data).equals(before)).toBe(true);
    expect(seal.der.every((b) => b === 0)).toBe(false);
  });
});

describe('SES_SealInfo.extDatas tagged [0] (tolerated like TBS_Sign.extDatas)', () => {
  it.each(['explicit', 'implicit'] as const)('[0] %s is read, kept and re-encoded', async (form) => {
    const pki = await createTestPki();
    const info = decodeSeal(await testSealV4(pki, { name: '测试章' })).sealInfo;
    const extDatas = [{ extnId: '1.2.3.4', critical: true, extnValue: Uint8Array.of(7) }];
    const der = await signSeal({ ...info, extDatas, extDatasForm: form }, 4, pki.maker);
    const decoded = decodeSeal(der);
    expect(decoded.sealInfo.extDatas).toEqual(extDatas);
    expect(decoded.sealInfo.extDatasForm).toBe(form);
    expect(decoded.warnings.join()).toMatch(new RegExp(`\\[0\\] ${form.toUpperCase()}`));
    expect(Buffer.from(encodeSeal(decoded)).equals(Buffer.from(der))).toBe(true);
    expect(checkOf(await verifySeal(der, { trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert] }), 'maker-signature')).toBe('passed');
  });
});

describe('encoding bad models', () => {
  it('gives SesInputError, not a RangeError', () => {
    const seal = decodeSeal(vector(V4));
    const bad = (over: object) => () => encodeSeal({ ...seal, ...over });
    expect(bad({ signatureAlgorithmOid: 'sm2' })).toThrow(/invalid seal input seal: not a dotted OID/);
    const p = seal.sealInfo.property;
    expect(bad({ sealInfo: { ...seal.sealInfo, property: { ...p, validEnd: new Date(NaN) } } })).toThrow(/not a valid date/);
    expect(bad({ version: 1, sealInfo: { ...seal.sealInfo, property: { ...p, certList: { type: 2, digests: [] } } } })).toThrow(/v1 seal can only carry certificates/);
  });
});
