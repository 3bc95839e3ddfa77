import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, type Extension } from '@peculiar/asn1-x509';
import { PROFILE_OID, certificateProfiles } from './certificate-profiles';
import { ecdsaTestKey } from './test-signers.spec-helper';
import { X509InputError } from './x509-input-error';

const spki = ecdsaTestKey().signer.spki;
const links = { crlUrl: 'http://a.example/c.crl', ocspUrl: 'http://a.example/ocsp', caIssuersUrl: 'http://a.example/ca.cer' };
const find = (exts: Extension[], oid: string) => exts.find((e) => e.extnID === oid);
const valueHex = (e: Extension | undefined) => Buffer.from(e!.extnValue.buffer).toString('hex');
const summary = (exts: Extension[]) => exts.map((e) => `${e.extnID}${e.critical ? '!' : ''}`);

describe('certificate profiles', () => {
  it('root: CA critical without pathLen, keyCertSign+cRLSign critical, SKI', () => {
    const exts = certificateProfiles.rootCa({ subjectSpki: spki });
    expect(summary(exts)).toEqual(['2.5.29.19!', '2.5.29.15!', '2.5.29.14']);
    expect(valueHex(find(exts, '2.5.29.15'))).toBe('03020106');
    expect(AsnConvert.parse(find(exts, '2.5.29.19')!.extnValue, BasicConstraints)).toMatchObject({ cA: true, pathLenConstraint: undefined });
  });

  it('issuing CA: pathLen 0 and the parent links only when given', () => {
    expect(summary(certificateProfiles.issuingCa({ subjectSpki: spki }))).toEqual(['2.5.29.19!', '2.5.29.15!', '2.5.29.14']);
    const exts = certificateProfiles.issuingCa({ subjectSpki: spki, crlUrl: links.crlUrl, caIssuersUrl: links.caIssuersUrl });
    expect(summary(exts)).toEqual(['2.5.29.19!', '2.5.29.15!', '2.5.29.14', '2.5.29.31', '1.3.6.1.5.5.7.1.1']);
    expect(valueHex(find(exts, '2.5.29.19'))).toBe('30060101ff020100');
    expect(() => certificateProfiles.issuingCa({ subjectSpki: spki, pathLenConstraint: -1 })).toThrow(X509InputError);
  });

  it('OCSP signer: digitalSignature critical, EKU OCSPSigning, nocheck = NULL', () => {
    const exts = certificateProfiles.ocspSigner({ subjectSpki: spki });
    expect(summary(exts)).toEqual(['2.5.29.15!', '2.5.29.37', PROFILE_OID.ocspNoCheck, '2.5.29.14']);
    expect(valueHex(find(exts, '2.5.29.15'))).toBe('03020780');
    expect(valueHex(find(exts, '2.5.29.37'))).toBe('300a06082b06010505070309');
    expect(valueHex(find(exts, PROFILE_OID.ocspNoCheck))).toBe('0500');
  });

  it('subscriber profiles: digitalSignature+nonRepudiation critical, CA:FALSE, identifiers as PrintableString', () => {
    const unit = certificateProfiles.unit({ subjectSpki: spki, uscc: '91440101MA5C00001N', ...links });
    expect(summary(unit)).toEqual(['2.5.29.15!', '2.5.29.37', '2.5.29.19', '2.5.29.14', '2.5.29.31', '1.3.6.1.5.5.7.1.1', PROFILE_OID.unitUscc]);
    // EKU clientAuth (login) + documentSigning (RFC 9336)
    expect(valueHex(find(unit, '2.5.29.37'))).toBe('301406082b0601050507030206082b06010505070324');
    expect(valueHex(find(unit, '2.5.29.15'))).toBe('030206c0');
    expect(valueHex(find(unit, '2.5.29.19'))).toBe('3000');
    expect(valueHex(find(unit, PROFILE_OID.unitUscc))).toBe(`1312${Buffer.from('91440101MA5C00001N').toString('hex')}`);
    const personal = certificateProfiles.personal({ subjectSpki: spki, idNumber: '11010519491231002X', ...links });
    expect(valueHex(find(personal, PROFILE_OID.personalIdNumber))).toBe(`1312${Buffer.from('11010519491231002X').toString('hex')}`);
    expect(valueHex(find(personal, '2.5.29.37'))).toBe(valueHex(find(unit, '2.5.29.37')));
    const seal = certificateProfiles.sealMaker({ subjectSpki: spki, ...links });
    expect(summary(seal)).toEqual(['2.5.29.15!', '2.5.29.37', '2.5.29.19', '2.5.29.14', '2.5.29.31', '1.3.6.1.5.5.7.1.1']);
    // EKU id-kp-ecertSealMaking alone, under the 2.25 UUID arc (X.667)
    expect(PROFILE_OID.kpEcertSealMaking.startsWith(`${PROFILE_OID.ecertArc}.`)).toBe(true);
    expect(valueHex(find(seal, '2.5.29.37'))).toBe('301806166981b1baedb8e597a2aedda6f681dad1b8a8ed210101');
  });

  it('Freshest CRL (delta pointer): non-critical, the delta URL as a full-name distribution point, only when given', () => {
    const exts = certificateProfiles.unit({ subjectSpki: spki, uscc: '91440101MA5C00001N', ...links, deltaCrlUrl: 'http://a.example/c-delta.crl' });
    expect(summary(exts)).toEqual(['2.5.29.15!', '2.5.29.37', '2.5.29.19', '2.5.29.14', '2.5.29.31', '2.5.29.46', '1.3.6.1.5.5.7.1.1', PROFILE_OID.unitUscc]);
    const url = Buffer.from('http://a.example/c-delta.crl').toString('hex');
    // SEQUENCE { DistributionPoint { [0] fullName { [0] { [6] URI } } } }, as the CRL DP is written
    expect(valueHex(find(exts, '2.5.29.46'))).toBe(`30243022a020a01e861c${url}`);
    expect(() => certificateProfiles.personal({ subjectSpki: spki, idNumber: '11010519491231002X', ...links, deltaCrlUrl: 'ftp://x' })).toThrow(/deltaCrlUrl/);
  });

  it('refuses malformed identifiers, URLs and policy OIDs', () => {
    expect(() => certificateProfiles.unit({ subjectSpki: spki, uscc: '91440101MA5C0000IO', ...links })).toThrow(/uscc/);
    expect(() => certificateProfiles.unit({ subjectSpki: spki, uscc: '9144', ...links })).toThrow(X509InputError);
    expect(() => certificateProfiles.personal({ subjectSpki: spki, idNumber: '11010519491231002x', ...links })).toThrow(/idNumber/);
    expect(() => certificateProfiles.sealMaker({ subjectSpki: spki, ...links, crlUrl: 'http://例子.cn/crl' })).toThrow(/crlUrl/);
    expect(() => certificateProfiles.sealMaker({ subjectSpki: spki, ...links, ocspUrl: 'ftp://a/ocsp' })).toThrow(/ocspUrl/);
    expect(() => certificateProfiles.sealMaker({ subjectSpki: spki, ...links, policies: [{ oid: '1.2.x' }] })).toThrow(X509InputError);
  });

  it('subjects follow the spec: unit CN = unit name, personal CN = person name', () => {
    expect(certificateProfiles.unitSubject({ province: '广东省', city: '广州市', unitName: '某单位' })).toEqual({ C: 'CN', ST: '广东省', L: '广州市', O: '某单位', CN: '某单位' });
    expect(certificateProfiles.personalSubject({ province: '广东省', city: '广州市', unitName: '某单位', personName: '张三' })).toEqual({ C: 'CN', ST: '广东省', L: '广州市', O: '某单位', CN: '张三' });
  });

  it('encodes the extensions that depend only on configuration once, and gives every caller its own copy', () => {
    const other = ecdsaTestKey().signer.spki;
    const a = certificateProfiles.unit({ subjectSpki: spki, ...links, uscc: '91450100MA5L000000' });
    const b = certificateProfiles.unit({ subjectSpki: other, ...links, uscc: '91450100MA5L00001X' });
    const sharedIds = ['2.5.29.15', '2.5.29.37', '2.5.29.19', '2.5.29.31', '1.3.6.1.5.5.7.1.1'];
    for (const id of sharedIds) {
      expect(find(a, id), id).not.toBe(find(b, id));
      expect(valueHex(find(a, id)), id).toBe(valueHex(find(b, id)));
      expect(find(a, id)!.critical, id).toBe(find(b, id)!.critical);
    }
    // A caller changing its copy in place changes nobody else's.
    const before = valueHex(find(b, '2.5.29.15'));
    new Uint8Array(find(a, '2.5.29.15')!.extnValue.buffer).fill(0);
    expect(valueHex(find(certificateProfiles.unit({ subjectSpki: spki, ...links, uscc: '91450100MA5L000000' }), '2.5.29.15'))).toBe(before);
    for (const id of ['2.5.29.14', PROFILE_OID.unitUscc]) expect(valueHex(find(a, id))).not.toBe(valueHex(find(b, id)));
    // Another CRL URL is another value, and a bad URL is still refused after good ones were encoded.
    const c = certificateProfiles.unit({ subjectSpki: spki, ...links, crlUrl: 'http://b.example/c.crl', uscc: '91450100MA5L000000' });
    expect(valueHex(find(c, '2.5.29.31'))).not.toBe(valueHex(find(b, '2.5.29.31')));
    expect(() => certificateProfiles.unit({ subjectSpki: spki, ...links, ocspUrl: 'ftp://x', uscc: '91450100MA5L000000' })).toThrow(X509InputError);
  });
});
