import { beforeAll, describe, expect, it } from 'vitest';
import { SesDecodeError, SesInputError, assembleSesSignatureV4, buildSealV4, decodeSesSignature, decodeTbsSignV4, hashDocument, prepareSesSignatureV4, verifySesSignature, type PrepareSesSignatureV4Input } from './index';
import { createTestPki, derToRaw, ecertMakerTrust, sm2Signer, tinyPng, type TestPki } from './test-pki.spec-helper';

/** The deferred form of buildSesSignatureV4: prepare here, sign elsewhere (a UKey, a key store), assemble. */
const DAY = 24 * 3600 * 1000;
const SM2_SM3 = '1.2.156.10197.1.501';
const content = new TextEncoder().encode('%PDF-1.7 the two ByteRange pieces of a sealed declaration');

let pki: TestPki;
let sealDer: Uint8Array;
let base: PrepareSesSignatureV4Input;

beforeAll(async () => {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  pki = await createTestPki(now);
  sealDer = await buildSealV4({
    vendorId: 'ECERT-GX',
    esId: '45010020250003',
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
  base = { seal: sealDer, signerCertificate: pki.unit.cert, signatureAlgorithmOid: SM2_SM3, dataHash: hashDocument(SM2_SM3, content)!, propertyInfo: 'PDF Signature1', timeInfo: new Date(now.getTime() + 1000) };
});

const trust = () => ({ trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], makerTrust: [ecertMakerTrust(pki)] });

describe('prepareSesSignatureV4 / assembleSesSignatureV4', () => {
  it('prepare → the signer signs dataToSign → assemble → TOTAL_PASSED against the caller\'s hash of the content', async () => {
    const prepared = prepareSesSignatureV4(base);
    const decoded = decodeTbsSignV4(prepared.dataToSign);
    expect(decoded.toSign.propertyInfo).toBe('PDF Signature1');
    expect(Buffer.from(decoded.seal.der).equals(Buffer.from(sealDer))).toBe(true);
    expect(decoded.warnings).toEqual([]);
    expect(prepared.digestToSign).toHaveLength(32);
    const der = assembleSesSignatureV4(prepared, await pki.unit.signer.sign(prepared.dataToSign));
    expect(Buffer.from(decodeSesSignature(der).tbsDer).equals(Buffer.from(prepared.dataToSign))).toBe(true);
    const report = await verifySesSignature(der, { ...trust(), documentHash: hashDocument(SM2_SM3, content)! });
    expect(report.checks.filter((c) => c.result !== 'passed')).toEqual([]);
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('takes a raw r||s signature (PKCS#11, WebCrypto) and writes it as DER', async () => {
    const prepared = prepareSesSignatureV4(base);
    const der = assembleSesSignatureV4(prepared, derToRaw(await pki.unit.signer.sign(prepared.dataToSign)));
    expect((await verifySesSignature(der, { ...trust(), documentHash: hashDocument(SM2_SM3, content)! })).indication).toBe('TOTAL_PASSED');
  });

  it('refuses a signature by another key or over other bytes', async () => {
    const prepared = prepareSesSignatureV4(base);
    const other = sm2Signer();
    expect(() => assembleSesSignatureV4(prepared, new Uint8Array(64))).toThrow(SesInputError);
    const byOther = await other.signer.sign(prepared.dataToSign);
    expect(() => assembleSesSignatureV4(prepared, byOther)).toThrow(/does not verify/);
    const overOther = await pki.unit.signer.sign(Uint8Array.of(1, 2, 3));
    expect(() => assembleSesSignatureV4(prepared, overOther)).toThrow(/does not verify/);
  });

  it('refuses a signer the seal is not bound to, and a seal outside its validity', () => {
    expect(() => prepareSesSignatureV4({ ...base, signerCertificate: pki.issuing.cert })).toThrow(/not a certificate the seal is bound to|not valid|keyUsage/);
    expect(() => prepareSesSignatureV4({ ...base, timeInfo: new Date(Date.now() + 400 * DAY) })).toThrow(SesInputError);
    expect(() => prepareSesSignatureV4({ ...base, dataHash: new Uint8Array(20) })).toThrow(/32-byte/);
  });

  it('a content hash other than dataHash fails the data-hash check', async () => {
    const prepared = prepareSesSignatureV4(base);
    const der = assembleSesSignatureV4(prepared, await pki.unit.signer.sign(prepared.dataToSign));
    const report = await verifySesSignature(der, { ...trust(), documentHash: hashDocument(SM2_SM3, Uint8Array.of(1))! });
    expect(report.checks.find((c) => c.name === 'data-hash')).toMatchObject({ result: 'failed' });
    expect(report.indication).toBe('TOTAL_FAILED');
  });
});

describe('decodeTbsSignV4', () => {
  it('refuses a seal, an SES_Signature and a TBS_Sign of another version', async () => {
    expect(() => decodeTbsSignV4(sealDer)).toThrow(SesDecodeError);
    const prepared = prepareSesSignatureV4(base);
    const der = assembleSesSignatureV4(prepared, await pki.unit.signer.sign(prepared.dataToSign));
    expect(() => decodeTbsSignV4(der)).toThrow(SesDecodeError);
    const v1 = Uint8Array.from(prepared.dataToSign);
    // TBS_Sign ::= SEQUENCE { version INTEGER (4) … }: the version byte follows the SEQUENCE header
    const at = v1.indexOf(0x02);
    v1[at + 2] = 1;
    expect(() => decodeTbsSignV4(v1)).toThrow(/version 1/);
    expect(() => decodeTbsSignV4(Uint8Array.of(...prepared.dataToSign, 0))).toThrow(SesDecodeError);
  });
});
