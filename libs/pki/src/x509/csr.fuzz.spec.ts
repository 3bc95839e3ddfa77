import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../../test/support/fuzz';
import { derExplicit, derOid, derTlv } from '../der/der-writer';
import { CsrError, acceptCsr, parseCsr } from './csr';
import { derBitString, derSequence } from './der-encoding';
import { encodeName } from './distinguished-name';
import { encodePem } from './pem';

/** A real, self-signed PKCS#10 request (P-256, SHA-256) with a UTF8 Chinese subject and an extensionRequest. */
function makeCsr(): Uint8Array {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const extReq = derSequence(derOid('1.2.840.113549.1.9.14'), derTlv(0x31, derSequence(derSequence(derOid('2.5.29.15'), derTlv(0x04, Uint8Array.of(3, 2, 7, 0x80))))));
  const info = derSequence(derTlv(0x02, Uint8Array.of(0)), encodeName({ C: 'CN', O: '广州市某某科技有限公司', CN: '张三' }), spki, derExplicit(0, extReq));
  const sig = new Uint8Array(sign('sha256', info, privateKey));
  return derSequence(info, derSequence(derOid('1.2.840.10045.4.3.2')), derBitString(sig));
}

describe('parseCsr / acceptCsr under fuzzing (CsrError only, no hang)', () => {
  const valid = makeCsr();
  const pem = Buffer.from(encodePem('CERTIFICATE REQUEST', valid));

  it('the seed is an acceptable request', () => {
    expect(acceptCsr(valid).subject).toContain('张三');
  });

  it('arbitrary bytes and strings', () => {
    fc.assert(
      fc.property(fc.oneof(bytesAfter([Uint8Array.of(0x30, 0x82, 0x01), Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n')]), fc.string({ maxLength: 300 })), (input) =>
        expectOnlyTyped(() => acceptCsr(input), [CsrError]),
      ),
      fuzzParams(2000),
    );
  });

  it('mutations of a valid DER request (parse only, then the whole intake)', () => {
    fc.assert(fc.property(mutationsOf([valid]), (b) => expectOnlyTyped(() => parseCsr(b), [CsrError])), fuzzParams(3000));
    // acceptCsr verifies a signature per case that parses: fewer runs.
    fc.assert(fc.property(mutationsOf([valid], 2), (b) => expectOnlyTyped(() => acceptCsr(b), [CsrError])), fuzzParams(1000));
  });

  it('mutations of the PEM form', () => {
    fc.assert(fc.property(mutationsOf([pem]), (b) => expectOnlyTyped(() => acceptCsr(Buffer.from(b).toString('latin1')), [CsrError])), fuzzParams(1000));
  });
});

/** Requests parseCsr is only asked to read (not to verify): RSA with NULL parameters, and SM2 under the legacy key OID with its curve as parameter. */
function otherCsrs(): Uint8Array[] {
  const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaInfo = derSequence(derTlv(0x02, Uint8Array.of(0)), encodeName({ C: 'CN', CN: '李四' }), new Uint8Array(rsaKey.publicKey.export({ type: 'spki', format: 'der' })), derExplicit(0));
  const rsa = derSequence(rsaInfo, derSequence(derOid('1.2.840.113549.1.1.11'), derTlv(0x05, new Uint8Array())), derBitString(new Uint8Array(sign('sha256', rsaInfo, rsaKey.privateKey))));
  const point = Uint8Array.from([4, ...new Uint8Array(64).fill(7)]);
  const sm2Spki = derSequence(derSequence(derOid('1.2.156.10197.1.301'), derOid('1.2.156.10197.1.301')), derBitString(point));
  const sm2Info = derSequence(derTlv(0x02, Uint8Array.of(0)), encodeName({ C: 'CN', O: '单位' }), sm2Spki, derExplicit(0));
  const sm2 = derSequence(sm2Info, derSequence(derOid('1.2.156.10197.1.501')), derBitString(derSequence(derTlv(0x02, Uint8Array.of(1)), derTlv(0x02, Uint8Array.of(2)))));
  return [rsa, sm2];
}

describe('parseCsr reads what the schema decoder reads (the DER reader replaced it)', () => {
  const valid = makeCsr();
  const seeds = [valid, ...otherCsrs()];
  /** The schema decoder's view of the same request; throws where it refuses it. */
  function schemaView(der: Uint8Array) {
    const r = AsnConvert.parse(der, CertificationRequest);
    const info = r.certificationRequestInfo;
    return {
      version: info.version,
      signatureAlgorithmOid: r.signatureAlgorithm.algorithm,
      signatureAlgorithmParameters: r.signatureAlgorithm.parameters ? Buffer.from(r.signatureAlgorithm.parameters).toString('hex') : undefined,
      spkiAlgorithm: info.subjectPKInfo.algorithm.algorithm,
      subjectPublicKey: Buffer.from(info.subjectPKInfo.subjectPublicKey).toString('hex'),
      attributes: (info.attributes ?? []).map((a) => ({ type: a.type, values: a.values.map((v) => Buffer.from(v).toString('hex')) })),
    };
  }

  it('every mutation parseCsr accepts, the schema decoder accepts too, with the same fields', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutationsOf(seeds), (b) => {
        let ours: ReturnType<typeof parseCsr>;
        try {
          ours = parseCsr(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CsrError);
          return;
        }
        accepted++;
        const theirs = schemaView(ours.der);
        const spki = AsnConvert.parse(ours.subjectSpki, SubjectPublicKeyInfo);
        expect(theirs.version).toBe(0);
        expect({
          version: undefined,
          signatureAlgorithmOid: ours.signatureAlgorithmOid,
          signatureAlgorithmParameters: ours.signatureAlgorithmParameters ? Buffer.from(ours.signatureAlgorithmParameters).toString('hex') : undefined,
          spkiAlgorithm: spki.algorithm.algorithm,
          subjectPublicKey: Buffer.from(spki.subjectPublicKey).toString('hex'),
          attributes: ours.attributes.map((a) => ({ type: a.type, values: a.values.map((v) => Buffer.from(v).toString('hex')) })),
        }).toEqual({ ...theirs, version: undefined });
      }),
      fuzzParams(3000),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('the RSA and SM2 seeds read the same both ways (NULL signature parameters count as none, as before)', () => {
    const [rsa, sm2] = otherCsrs();
    expect(parseCsr(rsa!)).toMatchObject({ signatureAlgorithmOid: '1.2.840.113549.1.1.11', keyFamily: 'rsa', attributes: [] });
    expect(parseCsr(rsa!).signatureAlgorithmParameters).toBeUndefined();
    expect(schemaView(rsa!).signatureAlgorithmParameters).toBeUndefined();
    expect(parseCsr(sm2!)).toMatchObject({ signatureAlgorithmOid: '1.2.156.10197.1.501', keyFamily: 'sm2' });
  });

  it('the seed request reads the same both ways', () => {
    const ours = parseCsr(valid);
    const theirs = schemaView(valid);
    expect(ours.signatureAlgorithmOid).toBe(theirs.signatureAlgorithmOid);
    expect(ours.signatureAlgorithmParameters).toBeUndefined();
    expect(ours.attributes.map((a) => ({ type: a.type, values: a.values.map((v) => Buffer.from(v).toString('hex')) }))).toEqual(theirs.attributes);
    expect(ours.attributes[0]!.type).toBe('1.2.840.113549.1.9.14');
    expect(ours.keyFamily).toBe('ecdsa');
  });

  it('refuses what strict DER forbids inside the fields: unused key bits, a non-minimal OID, a version other than 0, data after the algorithm', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const request = (info: Uint8Array, alg = derSequence(derOid('1.2.840.10045.4.3.2'))) =>
      derSequence(info, alg, derBitString(new Uint8Array(sign('sha256', info, privateKey))));
    const name = encodeName({ C: 'CN', CN: '张三' });
    const v0 = derTlv(0x02, Uint8Array.of(0));
    const unusedBits = spki.slice();
    unusedBits[spki.length - 66] = 1; // the BIT STRING's unused-bits octet
    expect(() => acceptCsr(request(derSequence(v0, name, unusedBits)))).toThrow(/unused bits/);
    const oid = derOid('1.2.840.10045.4.3.2');
    const nonMinimal = derTlv(0x06, Uint8Array.of(oid[2]!, 0x80, ...oid.slice(3)));
    expect(() => parseCsr(request(derSequence(v0, name, spki), derSequence(nonMinimal)))).toThrow(/non-minimal OBJECT IDENTIFIER/);
    expect(() => parseCsr(request(derSequence(derTlv(0x02, Uint8Array.of(1)), name, spki)))).toThrow(/unsupported version 1/);
    expect(() => parseCsr(request(derSequence(derTlv(0x02, Uint8Array.of(0, 0)), name, spki)))).toThrow(CsrError);
    expect(() => parseCsr(request(derSequence(v0, name, spki), derSequence(derOid('1.2.840.10045.4.3.2'), derTlv(0x05, new Uint8Array()), derTlv(0x05, new Uint8Array()))))).toThrow(/unexpected data after signatureAlgorithm/);
  });
});
