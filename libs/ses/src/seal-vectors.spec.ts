/**
 * Interop: every file in test/fixtures/seals (seals and a signature written by other vendors'
 * implementations) parses, verifies or fails exactly as that folder's README says, and re-encodes
 * to the same bytes. The files are checked against SHA256SUMS first; a missing folder, an unlisted
 * file or a changed byte fails the run instead of being skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decodeSeal,
  decodeSesSignature,
  detectSealVersion,
  encodeSeal,
  encodeSesSignature,
  verifySeal,
  verifySesSignature,
  type CheckResult,
  type Indication,
  type SealVerificationReport,
} from './index';
import { PROFILE_OID } from '../../pki/src/x509';

const VECTORS_DIR = fileURLToPath(new URL('../../../test/fixtures/seals/', import.meta.url));

function loadVectors(): Map<string, Uint8Array> {
  if (!existsSync(VECTORS_DIR)) {
    throw new Error(`seal test vectors not found at ${VECTORS_DIR}`);
  }
  const files = readdirSync(VECTORS_DIR).filter((f) => f !== 'README.md' && f !== 'SHA256SUMS');
  return new Map(files.map((f) => [f, new Uint8Array(readFileSync(`${VECTORS_DIR}${f}`))]));
}

const vectors = loadVectors();
const vector = (name: string): Uint8Array => {
  const v = vectors.get(name);
  if (!v) throw new Error(`vector ${name} missing from ${VECTORS_DIR}`);
  return v;
};
const checkOf = (report: { checks: readonly { name: string; result: CheckResult }[] }, name: string) =>
  report.checks.find((c) => c.name === name)?.result;
const utc = (s: string) => new Date(s);

interface SealExpectation {
  readonly version: 1 | 4;
  readonly headerVersion: number;
  readonly vendorId: string;
  readonly esId: string;
  readonly type: number;
  readonly name: string;
  readonly pictureType: string;
  readonly pictureFormat: string;
  readonly widthMm: number;
  readonly heightMm: number;
  readonly createDate: string;
  readonly validStart: string;
  readonly validEnd: string;
  readonly certs: number;
  readonly extDatas: number;
  /** README: "verifies" → passed; "must NOT verify" → failed. */
  readonly makerSignature: CheckResult;
  /** A time inside the seal's validity period, so only the signature and chain decide. */
  readonly at: string;
  /** Overall result without trust anchors (the vendors' roots are not part of the vectors). */
  readonly indication: Indication;
  /**
   * Overall result with the vendor's maker trusted as a foreign seal maker (its certificate as the
   * anchor of a foreign seal-making trust list, as ECERT_SEAL_MAKER_TRUST would configure it):
   * what the README says about the seal, now that who made it is settled.
   */
  readonly asForeignMaker: Indication;
}

// The README's table, made exact. File names not listed here make the run fail.
const SEALS: Readonly<Record<string, SealExpectation>> = {
  '01_tax_gomain_v4_type3_ofdpic_Seal.esl': {
    version: 4, headerVersion: 4, vendorId: 'GOMAIN', esId: '50011200000001', type: 3,
    name: '测试全国统一发票监制章国家税务总局重庆市税务局', pictureType: 'ofd', pictureFormat: 'ofd', widthMm: 30, heightMm: 20,
    createDate: '2020-02-26T06:15:54Z', validStart: '2020-02-25T16:00:00Z', validEnd: '2023-02-25T16:00:00Z',
    certs: 1, extDatas: 0, makerSignature: 'passed', at: '2021-06-01T00:00:00Z', indication: 'INDETERMINATE', asForeignMaker: 'TOTAL_PASSED',
  },
  '04_dms360_hrss_v1_type1_png_Seal.esl': {
    version: 1, headerVersion: 1, vendorId: 'dms360.cn', esId: 'esID', type: 1,
    name: '某某省人力资源和社会测试章', pictureType: 'PNG', pictureFormat: 'png', widthMm: 33, heightMm: 33,
    createDate: '2019-12-18T12:53:46Z', validStart: '2019-12-18T12:53:46Z', validEnd: '2029-12-18T12:53:46Z',
    // Its maker certificate is a self-signed CA whose keyUsage is keyCertSign/cRLSign only.
    certs: 0, extDatas: 1, makerSignature: 'passed', at: '2021-06-01T00:00:00Z', indication: 'TOTAL_FAILED', asForeignMaker: 'TOTAL_FAILED',
  },
  '05_ofdrw_generated_v4_type3_png_UserV4.esl': {
    version: 4, headerVersion: 4, vendorId: 'OFDR&WTest', esId: '51f044b76510434e9bc67a1185c2fba5', type: 3,
    name: 'OFD R&W 测试用印章', pictureType: 'PNG', pictureFormat: 'png', widthMm: 40, heightMm: 40,
    createDate: '2020-04-22T02:09:00Z', validStart: '2020-04-22T02:09:00Z', validEnd: '2022-04-22T02:09:00Z',
    certs: 1, extDatas: 0, makerSignature: 'passed', at: '2021-06-01T00:00:00Z', indication: 'INDETERMINATE', asForeignMaker: 'TOTAL_PASSED',
  },
  '06_hebei_gede_v4_type4_gif_extdatas_SESealData.der': {
    version: 4, headerVersion: 4, vendorId: 'Vid HebeiGede', esId: 'esID130600', type: 4,
    name: '测试单位名称 合同专用章', pictureType: 'GIF', pictureFormat: 'gif', widthMm: 42, heightMm: 42,
    createDate: '2020-10-13T09:45:58Z', validStart: '2020-10-13T09:45:58Z', validEnd: '2021-04-16T09:45:58Z',
    certs: 2, extDatas: 3, makerSignature: 'failed', at: '2021-01-01T00:00:00Z', indication: 'TOTAL_FAILED', asForeignMaker: 'TOTAL_FAILED',
  },
  '07_ofdrw_generated_v1_UserV1.esl': {
    version: 1, headerVersion: 1, vendorId: 'OFDR&WTest', esId: '40C8CDD24DEF43388B86E62CCE1D6832', type: 1,
    name: 'OFDRW测试用印章', pictureType: 'PNG', pictureFormat: 'png', widthMm: 40, heightMm: 40,
    createDate: '2020-04-22T02:18:07Z', validStart: '2020-04-22T02:18:07Z', validEnd: '2022-04-22T02:18:07Z',
    certs: 1, extDatas: 0, makerSignature: 'passed', at: '2021-06-01T00:00:00Z', indication: 'INDETERMINATE', asForeignMaker: 'TOTAL_PASSED',
  },
};
const SIGNATURES = ['02_tax_gomain_v4_SES_Signature.dat'] as const;

describe('seal vectors (test/fixtures/seals)', () => {
  it('are all listed here, and match SHA256SUMS', () => {
    expect([...vectors.keys()].sort()).toEqual([...Object.keys(SEALS), ...SIGNATURES].sort());
    const sums = readFileSync(`${VECTORS_DIR}SHA256SUMS`, 'utf8').trim().split('\n');
    expect(sums).toHaveLength(vectors.size);
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/) as [string, string];
      expect(createHash('sha256').update(vector(file)).digest('hex'), file).toBe(sum);
    }
  });

  describe.each(Object.entries(SEALS))('%s', (file, x) => {
    const der = vector(file);

    it('decodes to the expected fields, version detected by structure', () => {
      expect(detectSealVersion(der)).toBe(x.version);
      const seal = decodeSeal(der);
      const info = seal.sealInfo;
      expect(seal.version).toBe(x.version);
      expect(info.header).toEqual({ id: 'ES', version: x.headerVersion, vendorId: x.vendorId });
      expect(info.esId).toBe(x.esId);
      expect(info.property.type).toBe(x.type);
      expect(info.property.name).toBe(x.name);
      expect(info.property.createDate).toEqual(utc(x.createDate));
      expect(info.property.validStart).toEqual(utc(x.validStart));
      expect(info.property.validEnd).toEqual(utc(x.validEnd));
      expect(info.property.certList.type).toBe(1);
      expect(info.property.certList.type === 1 && info.property.certList.certs).toHaveLength(x.certs);
      expect(info.picture).toMatchObject({ type: x.pictureType, widthMm: x.widthMm, heightMm: x.heightMm });
      expect(info.extDatas?.length ?? 0).toBe(x.extDatas);
      expect(seal.signatureAlgorithmOid).toBe('1.2.156.10197.1.501');
      expect(seal.der).toEqual(der);
    });

    it('re-encodes to the same bytes', () => {
      expect(Buffer.from(encodeSeal(decodeSeal(der))).equals(Buffer.from(der))).toBe(true);
    });

    it(`maker signature: ${x.makerSignature}; overall without trust anchors: ${x.indication}`, async () => {
      const report = await verifySeal(der, { at: utc(x.at) });
      expect(checkOf(report, 'format')).toBe('passed');
      expect(checkOf(report, 'maker-signature')).toBe(x.makerSignature);
      expect(checkOf(report, 'maker-certificate')).toBe('indeterminate'); // no anchors given
      expect(checkOf(report, 'maker-authorised')).toBe('indeterminate'); // no trust list: who made it is unknown
      expect(checkOf(report, 'validity-period')).toBe('passed');
      expect(report.indication).toBe(x.indication);
      expect(report).toMatchObject({ version: x.version, esId: x.esId, type: x.type, name: x.name, vendorId: x.vendorId });
      expect(report.picture).toMatchObject({ type: x.pictureType, format: x.pictureFormat, widthMm: x.widthMm, heightMm: x.heightMm });
    });

    it(`as a foreign seal maker on the trust list: ${x.asForeignMaker}; not on it: TOTAL_FAILED, maker not authorised`, async () => {
      const maker = decodeSeal(der).cert;
      const foreign = { label: 'foreign seal-making systems', anchors: [maker] };
      const trusted = await verifySeal(der, { at: utc(x.at), makerTrust: [foreign] });
      expect(checkOf(trusted, 'maker-signature')).toBe(x.makerSignature);
      expect(trusted.indication, JSON.stringify(trusted.checks)).toBe(x.asForeignMaker);
      if (x.makerSignature === 'passed') expect(checkOf(trusted, 'maker-authorised')).toBe('passed');
      // a list without the vendor (e.g. ecert's makers only, which need ecert's purpose): refused, reason named
      const ecertOnly = { label: 'ecert seal maker', anchors: [], requiredPurpose: PROFILE_OID.kpEcertSealMaking };
      const refused = await verifySeal(der, { at: utc(x.at), makerTrust: [ecertOnly] });
      expect(checkOf(refused, 'maker-authorised')).toBe('failed');
      expect(refused.checks.find((c) => c.name === 'maker-authorised')?.detail).toMatch(/not (under any trusted seal-making list|an authorised seal maker)/);
      expect(refused.indication).toBe('TOTAL_FAILED');
    });

    it('fails the validity check after validEnd', async () => {
      const report = await verifySeal(der, { at: new Date(utc(x.validEnd).getTime() + 1000) });
      expect(checkOf(report, 'validity-period')).toBe('failed');
      expect(report.indication).toBe('TOTAL_FAILED');
    });
  });

  it('01: the maker certificate SM2 AlgorithmIdentifier carries NULL parameters and still chains by SM2', async () => {
    const seal = decodeSeal(vector('01_tax_gomain_v4_type3_ofdpic_Seal.esl'));
    // 300C 0608 2A811CCF55018375 0500: SM2-with-SM3 with NULL, inside the maker certificate
    expect(Buffer.from(seal.cert).toString('hex')).toContain('300c06082a811ccf5501837505');
    const report = await verifySeal(seal, { at: utc('2021-06-01T00:00:00Z') });
    expect(report.maker?.issuer).toBe('C=CN, CN=税务测试CA2(SM2)');
  });

  it('04 (v1, HRSS): tolerates the IA5String "1" in certList and keeps it for re-encoding', async () => {
    const der = vector('04_dms360_hrss_v1_type1_png_Seal.esl');
    const seal = decodeSeal(der);
    const list = seal.sealInfo.property.certList;
    expect(list).toMatchObject({ type: 1, certs: [] });
    expect(list.type === 1 && list.foreignEntries).toEqual([{ index: 0, tlv: Uint8Array.of(0x16, 0x01, 0x31), description: 'IA5String "1"' }]);
    expect(seal.warnings.join('\n')).toMatch(/IA5String "1"/);
    expect(seal.sealInfo.extDatas).toEqual([{ extnId: '1.3.6.1.4.1.54706.1', critical: true, extnValue: new TextEncoder().encode('dms360.cn') }]);
    const report = await verifySeal(der, { at: utc('2021-06-01T00:00:00Z') });
    expect(checkOf(report, 'cert-list')).toBe('indeterminate');
    expect(report.boundCertificates).toEqual({ type: 1, subjects: [] });
  });

  it('04: trusting its self-signed maker certificate makes the chain pass, but its keyUsage cannot sign seals', async () => {
    const der = vector('04_dms360_hrss_v1_type1_png_Seal.esl');
    const seal = decodeSeal(der);
    const report = await verifySeal(der, { at: utc('2021-06-01T00:00:00Z'), trustAnchors: [seal.cert] });
    expect(checkOf(report, 'maker-signature')).toBe('passed');
    expect(checkOf(report, 'maker-certificate')).toBe('passed');
    expect(checkOf(report, 'maker-key-usage')).toBe('failed');
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('06: parses extDatas including the explicit `critical FALSE` entries, and round-trips them', () => {
    const der = vector('06_hebei_gede_v4_type4_gif_extdatas_SESealData.der');
    const ext = decodeSeal(der).sealInfo.extDatas!;
    expect(ext.map((e) => [e.extnId, e.critical, e.explicitCriticalFalse ?? false])).toEqual([
      ['1.2.156.112600.7.1', false, true],
      ['1.2.156.112600.7.2', true, false],
      ['1.2.156.112600.7.3', false, true],
    ]);
    expect(new TextDecoder().decode(ext[2]!.extnValue)).toBe('HeBeiBaoDingShiCeShiDanWeiMingCheng');
    const withoutQuirk = { ...decodeSeal(der), sealInfo: { ...decodeSeal(der).sealInfo, extDatas: ext.map(({ explicitCriticalFalse: _, ...e }) => e) } };
    // Dropping the quirk gives canonical DER, i.e. other bytes than the producer signed.
    expect(encodeSeal(withoutQuirk).length).toBe(der.length - 6);
  });

  it('06: the negative sample does not verify even with its own certificate trusted', async () => {
    const der = vector('06_hebei_gede_v4_type4_gif_extdatas_SESealData.der');
    const report = await verifySeal(der, { at: utc('2021-01-01T00:00:00Z'), trustAnchors: [decodeSeal(der).cert] });
    expect(checkOf(report, 'maker-signature')).toBe('failed');
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('a changed picture byte breaks the maker signature of a vector that verifies', async () => {
    const der = vector('05_ofdrw_generated_v4_type3_png_UserV4.esl').slice();
    der[2000] ^= 0x01; // inside the PNG data
    const report = await verifySeal(der, { at: utc('2021-06-01T00:00:00Z') });
    expect(checkOf(report, 'format')).toBe('passed');
    expect(checkOf(report, 'maker-signature')).toBe('failed');
  });

  describe('02_tax_gomain_v4_SES_Signature.dat', () => {
    const der = vector('02_tax_gomain_v4_SES_Signature.dat');

    it('decodes: v4, embeds seal 01 byte for byte, re-encodes to the same bytes', () => {
      expect(detectSealVersion(der)).toBeUndefined(); // a signature, not a seal
      const sig = decodeSesSignature(der);
      expect(sig.version).toBe(4);
      expect(sig.toSign.version).toBe(4);
      expect(sig.toSign.timeInfo).toEqual(utc('2020-03-05T03:21:31Z'));
      expect(sig.toSign.propertyInfo).toBe('/Doc_0/Signs/Sign_0/Signature.xml');
      expect(sig.toSign.dataHash).toHaveLength(32);
      expect(sig.timeStamp).toBeUndefined();
      expect(Buffer.from(sig.toSign.sealDer).equals(Buffer.from(vector('01_tax_gomain_v4_type3_ofdpic_Seal.esl')))).toBe(true);
      expect(Buffer.from(encodeSesSignature(sig)).equals(Buffer.from(der))).toBe(true);
    });

    it('verifies: signature over DER(TBS_Sign) with cert, signer bound to the seal, embedded seal verifies', async () => {
      const report = await verifySesSignature(der, { at: utc('2021-06-01T00:00:00Z') });
      expect(checkOf(report, 'format')).toBe('passed');
      expect(checkOf(report, 'signer-signature')).toBe('passed');
      expect(checkOf(report, 'signer-bound-to-seal')).toBe('passed');
      expect(checkOf(report, 'signer-key-usage')).toBe('passed');
      const seal = report.seal as SealVerificationReport;
      expect(checkOf(seal, 'maker-signature')).toBe('passed');
      expect(checkOf(seal, 'validity-period')).toBe('passed'); // at the signing time
      expect(checkOf(report, 'data-hash')).toBe('indeterminate'); // the OFD document is not in the vectors
      expect(report.indication).toBe('INDETERMINATE'); // no trust anchors, no document
      expect(report.signingTime).toEqual(utc('2020-03-05T03:21:31Z'));
    });

    it('with seal 01\'s maker trusted as a foreign seal maker the embedded seal passes', async () => {
      const makerCert = decodeSesSignature(der).seal.cert;
      const report = await verifySesSignature(der, { at: utc('2021-06-01T00:00:00Z'), makerTrust: [{ label: 'foreign seal-making systems', anchors: [makerCert] }] });
      expect(checkOf(report, 'seal')).toBe('passed');
      expect(report.indication).toBe('INDETERMINATE'); // the signer's CA and the document are still unknown
    });

    it('a document that is not the signed one fails the data-hash check', async () => {
      const report = await verifySesSignature(der, { at: utc('2021-06-01T00:00:00Z'), document: new TextEncoder().encode('<Signature/>') });
      expect(checkOf(report, 'data-hash')).toBe('failed');
      expect(report.indication).toBe('TOTAL_FAILED');
    });

    it('a changed TBS_Sign byte breaks the signer signature', async () => {
      const bad = der.slice();
      bad[5010] ^= 0x20; // inside propertyInfo
      const report = await verifySesSignature(bad, { at: utc('2021-06-01T00:00:00Z') });
      expect(checkOf(report, 'signer-signature')).toBe('failed');
      expect(checkOf(report, 'seal')).not.toBe('failed'); // the seal itself is untouched
    });
  });
});
