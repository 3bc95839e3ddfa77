import { beforeAll, describe, expect, it } from 'vitest';
import {
  SesInputError,
  buildSealV4,
  certificateDigest,
  decodeSeal,
  detectSealVersion,
  encodeSeal,
  verifySeal,
  type BuildSealV4Input,
  type CheckResult,
} from './index';
import { createTestPki, derToRaw, ecertMakerTrust, sm2Signer, tinyPng, type TestPki } from './test-pki.spec-helper';

const DAY = 24 * 3600 * 1000;
let pki: TestPki;
let now: Date;
let base: BuildSealV4Input;

beforeAll(async () => {
  now = new Date(Math.floor(Date.now() / 1000) * 1000);
  pki = await createTestPki(now);
  base = {
    vendorId: 'ECERT-GX',
    type: 1,
    name: '南宁市某某科技有限公司',
    certList: { type: 1, certs: [pki.unit.cert] },
    createDate: now,
    validStart: now,
    validEnd: new Date(now.getTime() + 365 * DAY),
    picture: { type: 'png', data: tinyPng(), widthMm: 40, heightMm: 40 },
    makerCertificate: pki.maker.cert,
    makerSigner: pki.maker.signer,
  };
});

const trust = () => ({ trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], makerTrust: [ecertMakerTrust(pki)] });
const checkOf = (report: { checks: readonly { name: string; result: CheckResult }[] }, name: string) =>
  report.checks.find((c) => c.name === name)?.result;

async function expectInputError(input: BuildSealV4Input, field: string | RegExp): Promise<void> {
  const err = await buildSealV4(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SesInputError);
  expect((err as SesInputError).code).toBe('INVALID_INPUT');
  expect((err as SesInputError).field).toMatch(field);
}

describe('buildSealV4', () => {
  it('builds a v4 seal that decodes back to the same fields and re-encodes to the same bytes', async () => {
    const extDatas = [
      { extnId: '1.2.156.112600.7.1', critical: false, extnValue: new TextEncoder().encode('91450100MA5L000000') },
      { extnId: '1.2.156.112600.7.2', critical: true, extnValue: Uint8Array.of(1, 2, 3) },
    ];
    const der = await buildSealV4({ ...base, esId: '45010020250001', type: 4, extDatas });
    expect(detectSealVersion(der)).toBe(4);
    const seal = decodeSeal(der);
    expect(seal.warnings).toEqual([]);
    expect(seal.version).toBe(4);
    expect(seal.sealInfo.header).toEqual({ id: 'ES', version: 4, vendorId: 'ECERT-GX' });
    expect(seal.sealInfo.esId).toBe('45010020250001');
    expect(seal.sealInfo.property).toEqual({
      type: 4,
      name: base.name,
      certList: { type: 1, certs: [pki.unit.cert] },
      createDate: base.createDate,
      validStart: base.validStart,
      validEnd: base.validEnd,
    });
    expect(seal.sealInfo.picture).toEqual({ type: 'PNG', data: base.picture.data, widthMm: 40, heightMm: 40 });
    expect(seal.sealInfo.extDatas).toEqual(extDatas);
    expect(seal.cert).toEqual(pki.maker.cert);
    expect(seal.signatureAlgorithmOid).toBe('1.2.156.10197.1.501');
    expect(seal.signatureAlgorithmForm).toBe('oid');
    expect(seal.signedData).toEqual(seal.sealInfoDer); // v4 signs DER(SES_SealInfo)
    expect(Buffer.from(encodeSeal(seal)).equals(Buffer.from(der))).toBe(true);
  });

  it('verifies TOTAL_PASSED against the test root, every check passed', async () => {
    const der = await buildSealV4(base);
    const report = await verifySeal(der, trust());
    expect(report.checks.map((c) => [c.name, c.result])).toEqual([
      ['format', 'passed'],
      ['header', 'passed'],
      ['maker-signature', 'passed'],
      ['maker-certificate', 'passed'],
      ['maker-authorised', 'passed'],
      ['maker-key-usage', 'passed'],
      ['validity-period', 'passed'],
      ['cert-list', 'passed'],
      ['picture', 'passed'],
    ]);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.checks.find((c) => c.name === 'maker-authorised')?.detail).toMatch(/seal maker of "ecert seal maker".*id-kp-ecertSealMaking/);
    expect(report).toMatchObject({
      version: 4,
      headerVersion: 4,
      type: 1,
      name: base.name,
      vendorId: 'ECERT-GX',
      maker: { subject: 'C=CN, O=ecert 测试, CN=ecert 电子印章制作系统', issuer: 'C=CN, O=ecert 测试, CN=ecert 测试签发CA (SM2)' },
      picture: { type: 'PNG', format: 'png', widthMm: 40, heightMm: 40, byteLength: base.picture.data.length },
      boundCertificates: { type: 1, subjects: ['C=CN, ST=广西壮族自治区, L=南宁市, O=南宁市某某科技有限公司, CN=南宁市某某科技有限公司'] },
    });
    expect(report.checks.find((c) => c.name === 'maker-certificate')?.detail).toMatch(/chains to trust anchor "C=CN, O=ecert 测试, CN=ecert 测试根CA \(SM2\)" via "C=CN, O=ecert 测试, CN=ecert 测试签发CA \(SM2\)"/);
  });

  it('generates a distinct 32-hex-digit esID when none is given', async () => {
    const a = decodeSeal(await buildSealV4(base)).sealInfo.esId;
    const b = decodeSeal(await buildSealV4(base)).sealInfo.esId;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it('truncates dates to whole seconds, and the seal decodes to those', async () => {
    const t = new Date(now.getTime() + 1234);
    const seal = decodeSeal(await buildSealV4({ ...base, createDate: t }));
    expect(seal.sealInfo.property.createDate).toEqual(new Date(now.getTime() + 1000));
  });

  it('binds by certificate digests (certListType 2)', async () => {
    const digest = certificateDigest(pki.unit.cert);
    expect(digest.type).toBe('SM3');
    const der = await buildSealV4({ ...base, certList: { type: 2, digests: [digest] } });
    const seal = decodeSeal(der);
    expect(seal.sealInfo.property.certList).toEqual({ type: 2, digests: [digest] });
    expect(Buffer.from(encodeSeal(seal)).equals(Buffer.from(der))).toBe(true);
    const report = await verifySeal(der, trust());
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.boundCertificates).toEqual({ type: 2, digestCount: 1 });
  });

  it.each([
    ['gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
    ['JPG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])],
    ['svg', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['ofd', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])],
  ])('accepts picture type %s in any case and writes it upper case', async (type, data) => {
    const seal = decodeSeal(await buildSealV4({ ...base, picture: { type, data: new Uint8Array(data), widthMm: 30, heightMm: 20 } }));
    expect(seal.sealInfo.picture.type).toBe(type.toUpperCase());
  });

  describe('without the right trust material', () => {
    it('no anchors: maker chain indeterminate, overall INDETERMINATE', async () => {
      const report = await verifySeal(await buildSealV4(base));
      expect(checkOf(report, 'maker-signature')).toBe('passed');
      expect(checkOf(report, 'maker-certificate')).toBe('indeterminate');
      expect(report.indication).toBe('INDETERMINATE');
    });

    it('missing intermediate: indeterminate (issuer not found)', async () => {
      const report = await verifySeal(await buildSealV4(base), { trustAnchors: [pki.root.cert] });
      expect(checkOf(report, 'maker-certificate')).toBe('indeterminate');
      expect(report.checks.find((c) => c.name === 'maker-certificate')?.detail).toMatch(/no path to a trust anchor/);
    });

    it('another PKI as anchor: indeterminate', async () => {
      const other = await createTestPki(now);
      const report = await verifySeal(await buildSealV4(base), { trustAnchors: [other.root.cert], intermediates: [other.issuing.cert] });
      expect(checkOf(report, 'maker-certificate')).toBe('indeterminate');
    });

    it('after the maker certificate expired: maker-certificate failed', async () => {
      const at = new Date(pki.notAfter.getTime() + DAY);
      const report = await verifySeal(await buildSealV4({ ...base, validEnd: new Date(at.getTime() + DAY) }), { ...trust(), at });
      expect(checkOf(report, 'maker-certificate')).toBe('failed');
      expect(checkOf(report, 'validity-period')).toBe('passed');
      expect(report.indication).toBe('TOTAL_FAILED');
    });

    it('before validStart and after validEnd: validity-period failed', async () => {
      const der = await buildSealV4({ ...base, validStart: new Date(now.getTime() + DAY), validEnd: new Date(now.getTime() + 2 * DAY) });
      expect(checkOf(await verifySeal(der, trust()), 'validity-period')).toBe('failed');
      expect(checkOf(await verifySeal(der, { ...trust(), at: new Date(now.getTime() + 3 * DAY) }), 'validity-period')).toBe('failed');
      expect((await verifySeal(der, { ...trust(), at: new Date(now.getTime() + 1.5 * DAY) })).indication).toBe('TOTAL_PASSED');
    });
  });

  it('a seal re-signed by a key other than the maker certificate\'s fails the maker signature', async () => {
    const seal = decodeSeal(await buildSealV4(base));
    const forged = encodeSeal({ ...seal, signature: await pki.otherUnit.signer.sign(seal.signedData) });
    const report = await verifySeal(forged, trust());
    expect(checkOf(report, 'maker-signature')).toBe('failed');
    expect(checkOf(report, 'maker-certificate')).toBe('passed');
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('a seal whose name was changed after signing fails the maker signature', async () => {
    const seal = decodeSeal(await buildSealV4(base));
    const p = seal.sealInfo.property;
    const changed = encodeSeal({ ...seal, sealInfo: { ...seal.sealInfo, property: { ...p, name: '南宁市另一家公司' } } });
    expect(checkOf(await verifySeal(changed, trust()), 'maker-signature')).toBe('failed');
  });

  describe('refuses bad input before signing (SesInputError)', () => {
    it('a signer that is not the maker certificate key', async () => {
      await expectInputError({ ...base, makerSigner: sm2Signer().signer }, 'makerSigner');
    });
    it('a picture whose bytes are not the declared type', async () => {
      await expectInputError({ ...base, picture: { ...base.picture, type: 'gif' } }, 'picture.data');
    });
    it('an unknown picture type', async () => {
      await expectInputError({ ...base, picture: { ...base.picture, type: 'webp' } }, 'picture.type');
    });
    it('a zero picture size', async () => {
      await expectInputError({ ...base, picture: { ...base.picture, widthMm: 0 } }, 'picture.widthMm');
    });
    it('validEnd not after validStart', async () => {
      await expectInputError({ ...base, validEnd: base.validStart }, 'validEnd');
    });
    it('an invalid date', async () => {
      await expectInputError({ ...base, createDate: new Date('nope') }, 'createDate');
    });
    it('an empty or padded name', async () => {
      await expectInputError({ ...base, name: '' }, 'name');
      await expectInputError({ ...base, name: ' 公章' }, 'name');
    });
    it('a non-ASCII vendor id or esID (IA5String)', async () => {
      await expectInputError({ ...base, vendorId: '易证' }, 'vendorId');
      await expectInputError({ ...base, esId: 'é' }, 'esId');
    });
    it('a non-integer type', async () => {
      await expectInputError({ ...base, type: 1.5 }, 'type');
    });
    it('an empty certificate list, or one holding a non-certificate', async () => {
      await expectInputError({ ...base, certList: { type: 1, certs: [] } }, 'certList.certs');
      await expectInputError({ ...base, certList: { type: 1, certs: [Uint8Array.of(0x30, 0x00)] } }, 'certList.certs[0]');
      await expectInputError({ ...base, certList: { type: 2, digests: [] } }, 'certList.digests');
    });
    it('duplicate or malformed extDatas OIDs', async () => {
      const e = { extnId: '1.2.3', critical: false, extnValue: Uint8Array.of(1) };
      await expectInputError({ ...base, extDatas: [e, e] }, 'extDatas[1].extnId');
      await expectInputError({ ...base, extDatas: [{ ...e, extnId: 'x' }] }, 'extDatas[0].extnId');
    });
    it('a maker certificate not valid at the creation date', async () => {
      const late = new Date(pki.notAfter.getTime() + DAY);
      await expectInputError({ ...base, createDate: late, validStart: late, validEnd: new Date(late.getTime() + DAY) }, 'makerCertificate');
    });
    it('a CA certificate as maker certificate (keyUsage keyCertSign only)', async () => {
      await expectInputError({ ...base, makerCertificate: pki.issuing.cert, makerSigner: pki.issuing.signer }, 'makerCertificate');
    });
    it('a signer that returns raw r||s instead of DER', async () => {
      const rawSigner = { ...pki.maker.signer, sign: async (d: Uint8Array) => derToRaw(await pki.maker.signer.sign(d)) };
      await expectInputError({ ...base, makerSigner: rawSigner }, 'makerSigner');
    });
  });
});
