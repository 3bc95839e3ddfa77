import { beforeAll, describe, expect, it } from 'vitest';
import {
  SesDecodeError,
  SesInputError,
  buildSealV4,
  buildSesSignatureV4,
  certificateDigest,
  decodeSeal,
  decodeSesSignature,
  encodeSesSignature,
  hashDocument,
  verifySeal,
  verifySesSignature,
  type BuildSesSignatureV4Input,
  type CheckResult,
  type SesTbsSign,
} from './index';
import { createTestPki, ecertMakerTrust, signSeal, signSesSignature, tinyPng, type TestPki } from './test-pki.spec-helper';

const DAY = 24 * 3600 * 1000;
const SM2_SM3 = '1.2.156.10197.1.501';
const document = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?><ofd:Signature>参保单位申报表</ofd:Signature>');

let pki: TestPki;
let now: Date;
let sealDer: Uint8Array;
let base: BuildSesSignatureV4Input;

beforeAll(async () => {
  now = new Date(Math.floor(Date.now() / 1000) * 1000);
  pki = await createTestPki(now);
  sealDer = await buildSealV4({
    vendorId: 'ECERT-GX',
    esId: '45010020250002',
    type: 1,
    name: '南宁市某某科技有限公司',
    certList: { type: 1, certs: [pki.unit.cert] },
    createDate: now,
    validStart: now,
    validEnd: new Date(now.getTime() + 365 * DAY),
    picture: { type: 'png', data: tinyPng(), widthMm: 40, heightMm: 40 },
    makerCertificate: pki.maker.cert,
    makerSigner: pki.maker.signer,
  });
  base = {
    seal: sealDer,
    signerCertificate: pki.unit.cert,
    signer: pki.unit.signer,
    document,
    propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml',
    timeInfo: new Date(now.getTime() + 60_000),
  };
});

const trust = () => ({ trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], makerTrust: [ecertMakerTrust(pki)] });
const checkOf = (report: { checks: readonly { name: string; result: CheckResult }[] }, name: string) =>
  report.checks.find((c) => c.name === name)?.result;
const tbsFor = (over: Partial<SesTbsSign> = {}): SesTbsSign => ({
  version: 4,
  sealDer,
  timeInfo: base.timeInfo!,
  dataHash: hashDocument(SM2_SM3, document)!,
  propertyInfo: base.propertyInfo,
  ...over,
});

async function expectInputError(input: BuildSesSignatureV4Input, field: string): Promise<SesInputError> {
  const err = await buildSesSignatureV4(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SesInputError);
  expect((err as SesInputError).field).toBe(field);
  return err as SesInputError;
}

describe('buildSesSignatureV4 / verifySesSignature', () => {
  it('round-trips: decodes to the inputs, embeds the seal unchanged, re-encodes to the same bytes', async () => {
    const der = await buildSesSignatureV4(base);
    const sig = decodeSesSignature(der);
    expect(sig.version).toBe(4);
    expect(sig.warnings).toEqual([]);
    expect(sig.toSign).toEqual({
      version: 4,
      sealDer,
      timeInfo: base.timeInfo,
      dataHash: hashDocument(SM2_SM3, document),
      propertyInfo: base.propertyInfo,
    });
    expect(sig.seal.der).toEqual(sealDer);
    expect(sig.cert).toEqual(pki.unit.cert);
    expect(sig.signatureAlgorithmOid).toBe(SM2_SM3);
    expect(Buffer.from(encodeSesSignature(sig)).equals(Buffer.from(der))).toBe(true);
  });

  it('verifies TOTAL_PASSED with the document and the test root, every check passed', async () => {
    const report = await verifySesSignature(await buildSesSignatureV4(base), { ...trust(), document });
    expect(report.checks.map((c) => [c.name, c.result])).toEqual([
      ['format', 'passed'],
      ['signer-signature', 'passed'],
      ['signer-certificate', 'passed'],
      ['signer-key-usage', 'passed'],
      ['signer-bound-to-seal', 'passed'],
      ['seal', 'passed'],
      ['data-hash', 'passed'],
    ]);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.seal?.indication).toBe('TOTAL_PASSED');
    expect(report).toMatchObject({ version: 4, signingTime: base.timeInfo, propertyInfo: base.propertyInfo, timeStampPresent: false });
    expect(report.signer?.subject).toMatch(/南宁市某某科技有限公司/);
  });

  it('takes a precomputed dataHash instead of the document', async () => {
    const der = await buildSesSignatureV4({ ...base, document: undefined, dataHash: hashDocument(SM2_SM3, document) });
    expect((await verifySesSignature(der, { ...trust(), document })).indication).toBe('TOTAL_PASSED');
  });

  it('without the document: data-hash indeterminate; with another document: failed', async () => {
    const der = await buildSesSignatureV4(base);
    const without = await verifySesSignature(der, trust());
    expect(checkOf(without, 'data-hash')).toBe('indeterminate');
    expect(without.indication).toBe('INDETERMINATE');
    const other = await verifySesSignature(der, { ...trust(), document: new TextEncoder().encode('changed') });
    expect(checkOf(other, 'data-hash')).toBe('failed');
    expect(other.indication).toBe('TOTAL_FAILED');
  });

  it('works with a seal bound by certificate digest', async () => {
    const seal = decodeSeal(sealDer);
    const byDigest = await signSeal(
      { ...seal.sealInfo, property: { ...seal.sealInfo.property, certList: { type: 2, digests: [certificateDigest(pki.unit.cert)] } } },
      4,
      pki.maker,
    );
    const report = await verifySesSignature(await buildSesSignatureV4({ ...base, seal: byDigest }), { ...trust(), document });
    expect(checkOf(report, 'signer-bound-to-seal')).toBe('passed');
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('carries extDatas and a timestamp ([0] EXPLICIT), and reports the timestamp as unverified', async () => {
    const timeStamp = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);
    const extDatas = [{ extnId: '1.2.156.10260.4.1.4', critical: false, extnValue: new TextEncoder().encode('91450100MA5L000000') }];
    const der = await buildSesSignatureV4({ ...base, extDatas, timeStamp });
    const sig = decodeSesSignature(der);
    expect(sig.toSign.extDatas).toEqual(extDatas);
    expect(sig.toSign.extDatasForm).toBe('untagged');
    expect(sig.timeStamp).toEqual(timeStamp);
    expect(sig.timeStampForm).toBe('explicit');
    expect(Buffer.from(encodeSesSignature(sig)).equals(Buffer.from(der))).toBe(true);
    const report = await verifySesSignature(der, { ...trust(), document });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.timeStampPresent).toBe(true);
    expect(report.warnings).toContain('timeStamp present but not verified by this library');
  });

  describe('refuses to sign (SesInputError)', () => {
    it('with a certificate the seal is not bound to', async () => {
      await expectInputError({ ...base, signerCertificate: pki.otherUnit.cert, signer: pki.otherUnit.signer }, 'signerCertificate');
    });
    it('with a signer that does not hold the certificate key', async () => {
      await expectInputError({ ...base, signer: pki.otherUnit.signer }, 'signer');
    });
    it('outside the seal validity period', async () => {
      await expectInputError({ ...base, timeInfo: new Date(now.getTime() + 400 * DAY) }, 'timeInfo');
    });
    it('with a forged seal', async () => {
      const seal = decodeSeal(sealDer);
      const forged = await signSeal(seal.sealInfo, 4, { ...pki.maker, signer: pki.otherUnit.signer });
      const err = await expectInputError({ ...base, seal: forged }, 'seal');
      expect(err.message).toMatch(/maker signature is not valid/);
    });
    it('with a v1 seal, or garbage as seal', async () => {
      const v1 = await signSeal(decodeSeal(sealDer).sealInfo, 1, pki.maker);
      expect((await expectInputError({ ...base, seal: v1 }, 'seal')).message).toMatch(/v1 seal where v4 is required/);
      await expectInputError({ ...base, seal: Uint8Array.of(1, 2, 3) }, 'seal');
    });
    it('with both or neither of document and dataHash, or a wrong-size hash', async () => {
      await expectInputError({ ...base, dataHash: new Uint8Array(32) }, 'document');
      await expectInputError({ ...base, document: undefined }, 'document');
      await expectInputError({ ...base, document: undefined, dataHash: new Uint8Array(20) }, 'dataHash');
    });
    it('with a non-ASCII propertyInfo', async () => {
      await expectInputError({ ...base, propertyInfo: '/文档/Signature.xml' }, 'propertyInfo');
    });
  });

  describe('signatures ecert would not make, verified', () => {
    it('signer not bound to the seal: signer-bound-to-seal failed', async () => {
      const der = await signSesSignature(4, tbsFor(), pki.otherUnit);
      const report = await verifySesSignature(der, { ...trust(), document });
      expect(checkOf(report, 'signer-signature')).toBe('passed');
      expect(checkOf(report, 'signer-bound-to-seal')).toBe('failed');
      expect(report.indication).toBe('TOTAL_FAILED');
    });

    it('signed after the seal expired: the embedded seal fails at the signing time', async () => {
      const der = await signSesSignature(4, tbsFor({ timeInfo: new Date(now.getTime() + 400 * DAY) }), pki.unit);
      const report = await verifySesSignature(der, { ...trust(), document });
      expect(checkOf(report.seal!, 'validity-period')).toBe('failed');
      expect(checkOf(report, 'seal')).toBe('failed');
    });

    it('quirk: a raw 64-byte r||s signature value verifies', async () => {
      const der = await signSesSignature(4, tbsFor(), pki.unit, { rawSignature: true });
      expect(decodeSesSignature(der).signature).toHaveLength(64);
      const report = await verifySesSignature(der, { ...trust(), document });
      expect(checkOf(report, 'signer-signature')).toBe('passed');
      expect(report.checks.find((c) => c.name === 'signer-signature')?.detail).toMatch(/raw r\|\|s/);
      expect(report.indication).toBe('TOTAL_PASSED');
    });

    it.each(['explicit', 'implicit'] as const)('quirk: TBS_Sign.extDatas as [0] %s is read and round-trips', async (form) => {
      const extDatas = [
        { extnId: '1.2.3.4', critical: false, extnValue: Uint8Array.of(9) },
        { extnId: '1.2.3.5', critical: true, extnValue: Uint8Array.of(8) },
      ];
      const der = await signSesSignature(4, tbsFor({ extDatas, extDatasForm: form }), pki.unit);
      const sig = decodeSesSignature(der);
      expect(sig.toSign.extDatas).toEqual(extDatas);
      expect(sig.toSign.extDatasForm).toBe(form);
      expect(Buffer.from(encodeSesSignature(sig)).equals(Buffer.from(der))).toBe(true);
      expect((await verifySesSignature(der, { ...trust(), document })).indication).toBe('TOTAL_PASSED');
    });

    it('quirk: timeStamp as [0] IMPLICIT BIT STRING is read', async () => {
      const der = await signSesSignature(4, tbsFor(), pki.unit, { timeStamp: Uint8Array.of(1, 2, 3), timeStampForm: 'implicit' });
      const sig = decodeSesSignature(der);
      expect(sig).toMatchObject({ timeStamp: Uint8Array.of(1, 2, 3), timeStampForm: 'implicit' });
      expect(Buffer.from(encodeSesSignature(sig)).equals(Buffer.from(der))).toBe(true);
    });

    it('quirk: signatureAlgID as an AlgorithmIdentifier with NULL is read', async () => {
      const der = await signSesSignature(4, tbsFor(), pki.unit, { signatureAlgorithmForm: 'algorithm-identifier-null' });
      const sig = decodeSesSignature(der);
      expect(sig.signatureAlgorithmForm).toBe('algorithm-identifier-null');
      expect(sig.warnings.join()).toMatch(/NULL parameters/);
      expect((await verifySesSignature(der, { ...trust(), document })).indication).toBe('TOTAL_PASSED');
    });
  });

  describe('GM/T 0031 v1 signatures', () => {
    let v1Seal: Uint8Array;
    beforeAll(async () => {
      const info = decodeSeal(sealDer).sealInfo;
      v1Seal = await signSeal({ ...info, header: { ...info.header, version: 1 } }, 1, pki.maker);
    });

    it('a v1 seal signed over SEQUENCE{sealInfo, cert, alg} verifies against the test root', async () => {
      const seal = decodeSeal(v1Seal);
      expect(seal.version).toBe(1);
      expect(seal.signedData).not.toEqual(seal.sealInfoDer);
      expect((await verifySeal(v1Seal, trust())).indication).toBe('TOTAL_PASSED');
    });

    it.each([
      ['a DER UTCTime', (d: Date) => Uint8Array.of(0x17, 13, ...new TextEncoder().encode(utcText(d)))],
      ['"yyyy-MM-dd HH:mm:ss" Beijing time', (d: Date) => new TextEncoder().encode(beijingText(d))],
    ])('decodes and verifies a v1 SES_Signature whose timeInfo is %s', async (_label, timeBits) => {
      const timeInfo = base.timeInfo!;
      const toSign: SesTbsSign = { version: 1, sealDer: v1Seal, timeInfoBits: timeBits(timeInfo), dataHash: hashDocument(SM2_SM3, document)!, propertyInfo: 'Signature.xml' };
      const der = await signSesSignature(1, toSign, pki.unit);
      const sig = decodeSesSignature(der);
      expect(sig.version).toBe(1);
      expect(sig.toSign.timeInfo).toEqual(timeInfo);
      expect(sig.cert).toEqual(pki.unit.cert);
      expect(Buffer.from(encodeSesSignature(sig)).equals(Buffer.from(der))).toBe(true);
      const report = await verifySesSignature(der, { ...trust(), document });
      expect(report.checks.filter((c) => c.result !== 'passed')).toEqual([]);
      expect(report.indication).toBe('TOTAL_PASSED');
    });

    it('refuses the wrong expected version with a typed error', () => {
      expect(() => decodeSesSignature(Uint8Array.of(0x30, 0x00), { expectedVersion: 4 })).toThrow(SesDecodeError);
    });
  });
});

const pad = (n: number) => String(n).padStart(2, '0');
function utcText(d: Date): string {
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}
function beijingText(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3600 * 1000);
  return `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}
