import { beforeAll, describe, expect, it } from 'vitest';
import { derSequence, derTlv } from '@ecert/pki';

const derInteger = (n: number) => Uint8Array.of(0x02, 0x01, n);
import { encodeTbsSign, hashDocument, prepareSesSignatureV4, type SesTbsSign } from '@ecert/ses';
import { createForeignSealMaker, createTestPki, testSealV4, type TestPki } from '../../../../libs/ses/src/test-pki.spec-helper';
import { parseTbsSignForSeal, SES_TIME_SKEW_MS } from './tbs-sign.parser';

/** What keeps a platform-held key from signing anything but the TBS_Sign of its own seal over the document it signs. */
const SM2_SM3 = '1.2.156.10197.1.501';
const digest = hashDocument(SM2_SM3, new TextEncoder().encode('the ByteRange of a sealed reply'))!;

let pki: TestPki;
let seal: Uint8Array;
let now: Date;

beforeAll(async () => {
  now = new Date(Math.floor(Date.now() / 1000) * 1000);
  pki = await createTestPki(now);
  seal = await testSealV4(pki, { esId: '45010020250099' }, now);
});

const expectations = (over: Partial<Parameters<typeof parseTbsSignForSeal>[1]> = {}) => ({ certificate: pki.unit.cert, makerCertificates: [pki.maker.cert], messageDigest: digest, now, ...over });
const tbs = (over: Partial<SesTbsSign> = {}, sealDer = seal) =>
  encodeTbsSign(4, { version: 4, sealDer, timeInfo: now, dataHash: digest, propertyInfo: 'PDF Signature1 /ByteRange [0 100 200 300]', ...over }, pki.unit.cert, SM2_SM3);

describe('parseTbsSignForSeal', () => {
  it('accepts the TBS_Sign libs/ses prepares for a seal of this certificate over this digest', () => {
    const prepared = prepareSesSignatureV4({ seal, signerCertificate: pki.unit.cert, signatureAlgorithmOid: SM2_SM3, dataHash: digest, propertyInfo: 'PDF Signature1 /ByteRange [0 100 200 300]', timeInfo: now });
    const r = parseTbsSignForSeal(prepared.dataToSign, expectations());
    expect(r.ok).toBe(true);
  });

  it.each([
    ['a SET (signed attributes)', () => derTlv(0x31, derInteger(4)), /not a SEQUENCE/],
    ['the seal itself', () => seal, /not a GB\/T 38540 v4 TBS_Sign/],
    ['a TBSCertificate-like SEQUENCE', () => derSequence(derTlv(0xa0, derInteger(2)), derInteger(1)), /not a GB\/T 38540 v4 TBS_Sign/],
    ['trailing bytes', () => Uint8Array.of(...tbs(), 0), /not a GB\/T 38540 v4 TBS_Sign/],
    ['extDatas (free bytes)', () => tbs({ extDatas: [{ extnId: '1.2.3.4', critical: false, extnValue: Uint8Array.of(1, 2, 3) }] }), /extDatas/],
    ['another digest', () => tbs({ dataHash: new Uint8Array(32) }), /dataHash is not the message digest/],
    ['a long propertyInfo (free text)', () => tbs({ propertyInfo: 'x'.repeat(300) }), /propertyInfo is longer/],
    ['a propertyInfo of free text', () => tbs({ propertyInfo: 'pay 1000 yuan to account 42' }), /propertyInfo is not `PDF <field>/],
    ['a propertyInfo with a ByteRange of three numbers', () => tbs({ propertyInfo: 'PDF Signature1 /ByteRange [0 100 200]' }), /propertyInfo is not `PDF <field>/],
    ['a propertyInfo with text after the ByteRange', () => tbs({ propertyInfo: 'PDF Signature1 /ByteRange [0 100 200 300] and more' }), /propertyInfo is not `PDF <field>/],
    ['a time an hour ago', () => tbs({ timeInfo: new Date(now.getTime() - 12 * SES_TIME_SKEW_MS) }), /is not now/],
  ])('refuses %s', (_what, data, problem) => {
    const r = parseTbsSignForSeal(data(), expectations());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(problem);
  });

  it('refuses a seal of another certificate, by another maker, or with a broken maker signature', async () => {
    const otherCertSeal = await testSealV4(pki, { esId: '45010020250098', certList: { type: 1, certs: [pki.otherUnit.cert] } }, now);
    expect(parseTbsSignForSeal(tbs({}, otherCertSeal), expectations())).toMatchObject({ ok: false, problem: expect.stringMatching(/not bound to this certificate/) });

    const foreign = await createForeignSealMaker(now);
    const foreignSeal = await testSealV4({ unit: pki.unit, maker: foreign.maker }, { esId: '45010020250097' }, now);
    expect(parseTbsSignForSeal(tbs({}, foreignSeal), expectations())).toMatchObject({ ok: false, problem: expect.stringMatching(/not made by ecert's seal maker/) });

    const forged = Uint8Array.from(seal);
    const name = Buffer.from('测试单位');
    const at = Buffer.from(forged).indexOf(name);
    forged[at + 2] ^= 0x01;
    expect(parseTbsSignForSeal(tbs({}, forged), expectations())).toMatchObject({ ok: false, problem: expect.stringMatching(/maker signature is not valid|not a GB\/T 38540/) });
  });
});
