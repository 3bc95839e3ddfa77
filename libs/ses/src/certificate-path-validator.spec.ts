import { beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate, certificateProfiles, encodeName, newSerialNumber } from '../../pki/src/x509';
import { validateCertificatePath } from './certificate-path-validator';
import { parseCertificate } from './certificate-parser';
import { createTestPki, sm2Signer, type TestPki } from './test-pki.spec-helper';

const DAY = 24 * 3600 * 1000;
let pki: TestPki;
let now: Date;

beforeAll(async () => {
  now = new Date();
  pki = await createTestPki(now);
});

describe('validateCertificatePath (SM2 chains through @ecert/pki)', () => {
  it('root → issuing CA → maker: passed, path leaf first', () => {
    const r = validateCertificatePath({ certificate: pki.maker.cert, trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], at: now });
    expect(r.result).toBe('passed');
    expect(r.path.map((c) => c.subject)).toEqual([
      'C=CN, O=ecert 测试, CN=ecert 电子印章制作系统',
      'C=CN, O=ecert 测试, CN=ecert 测试签发CA (SM2)',
      'C=CN, O=ecert 测试, CN=ecert 测试根CA (SM2)',
    ]);
  });

  it('an intermediate as anchor, or the certificate itself, is enough', () => {
    expect(validateCertificatePath({ certificate: pki.maker.cert, trustAnchors: [pki.issuing.cert], at: now }).result).toBe('passed');
    const self = validateCertificatePath({ certificate: pki.maker.cert, trustAnchors: [pki.maker.cert], at: now });
    expect(self.result).toBe('passed');
    expect(self.detail).toMatch(/itself a trust anchor/);
  });

  it('no anchors, a missing intermediate or unrelated anchors: indeterminate', async () => {
    expect(validateCertificatePath({ certificate: pki.maker.cert, trustAnchors: [], at: now }).result).toBe('indeterminate');
    expect(validateCertificatePath({ certificate: pki.maker.cert, trustAnchors: [pki.root.cert], at: now }).result).toBe('indeterminate');
    const other = await createTestPki(now);
    expect(validateCertificatePath({ certificate: pki.maker.cert, trustAnchors: [other.root.cert], intermediates: [other.issuing.cert], at: now }).result).toBe(
      'indeterminate',
    );
  });

  it('outside a certificate validity period: failed', () => {
    const input = { certificate: pki.maker.cert, trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert] };
    expect(validateCertificatePath({ ...input, at: new Date(pki.notAfter.getTime() + DAY) }).result).toBe('failed');
    expect(validateCertificatePath({ ...input, at: new Date(pki.notBefore.getTime() - DAY) }).result).toBe('failed');
  });

  it('a certificate claiming the issuing CA as issuer but signed by another key: failed', async () => {
    const forger = sm2Signer();
    const issuing = parseCertificate(pki.issuing.cert);
    const forged = await buildCertificate({
      // Same issuer name and AKI as the real issuing CA: only the signature tells them apart.
      issuer: { name: issuing.subjectDer, spki: forger.signer.spki, keyIdentifier: issuing.subjectKeyId! },
      signer: forger.signer,
      subjectName: encodeName({ C: 'CN', CN: '伪造的制章者' }),
      subjectSpki: sm2Signer().signer.spki,
      serialNumber: newSerialNumber(),
      notBefore: pki.notBefore,
      notAfter: pki.notAfter,
      extensions: [],
    });
    const r = validateCertificatePath({ certificate: forged, trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert], at: now });
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/does not verify/);
  });

  it('an end-entity certificate acting as issuer: failed (not a CA)', async () => {
    const unit = parseCertificate(pki.unit.cert);
    const leaf = await buildCertificate({
      issuer: { name: unit.subjectDer, spki: pki.unit.signer.spki },
      signer: pki.unit.signer,
      subjectName: encodeName({ C: 'CN', CN: '下级' }),
      subjectSpki: sm2Signer().signer.spki,
      serialNumber: newSerialNumber(),
      notBefore: pki.notBefore,
      notAfter: pki.notAfter,
      extensions: certificateProfiles.sealMaker({
        subjectSpki: sm2Signer().signer.spki,
        crlUrl: 'http://x.test/c.crl',
        ocspUrl: 'http://x.test/ocsp',
        caIssuersUrl: 'http://x.test/ca.cer',
      }),
    });
    const r = validateCertificatePath({ certificate: leaf, trustAnchors: [pki.root.cert], intermediates: [pki.issuing.cert, pki.unit.cert], at: now });
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/not a CA certificate/);
  });

  it('unreadable anchors and intermediates are ignored, not fatal', () => {
    const r = validateCertificatePath({
      certificate: pki.maker.cert,
      trustAnchors: [Uint8Array.of(1, 2), pki.root.cert],
      intermediates: [new Uint8Array(0), pki.issuing.cert],
      at: now,
    });
    expect(r.result).toBe('passed');
  });
});
