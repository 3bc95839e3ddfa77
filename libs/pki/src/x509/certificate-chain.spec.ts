/**
 * End-to-end checks of builder + profiles against independent implementations: OpenSSL (decode,
 * path validation, SM2 signature check with the standard ID) and @peculiar/x509 (parse, verify).
 */
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs it loaded first
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { buildCertificate, newSerialNumber, type CertificateIssuer } from './certificate-builder';
import { issuerFromCertificate } from './certificate-issuer';
import { certificateProfiles } from './certificate-profiles';
import { encodeName } from './distinguished-name';
import { encodePem } from './pem';
import {
  ecdsaTestKey,
  opensslWorkspace,
  rsaTestKey,
  sm2TestKey,
  sm2VerifyForTest,
  type Sm2TestKey,
  type TestKey,
} from './test-signers.spec-helper';
import { Extension } from '@peculiar/asn1-x509';
import { OID } from '../crypto/algorithms';
import { verifySignature } from '../crypto/signature-verifier';

// Node's webcrypto is the DOM Crypto @peculiar/x509 expects; the project has no DOM lib to name the type.
x509.cryptoProvider.set(webcrypto as never);

const ws = opensslWorkspace();
afterAll(() => ws.cleanup());

const YEAR = 365 * 24 * 3600 * 1000;
const now = new Date();
const links = {
  crlUrl: 'http://pki.ecert.example/crl/issuing.crl',
  ocspUrl: 'http://pki.ecert.example/ocsp',
  caIssuersUrl: 'http://pki.ecert.example/ca/issuing.cer',
};
const USCC = '91440101MA5CXXXX1X'.replace(/X/g, '0'); // format only; check character is not ours
const ID_NUMBER = '44010619900101123X';

interface Chain {
  root: Uint8Array;
  issuing: Uint8Array;
  leaves: Record<'unit' | 'personal' | 'sealMaker' | 'ocspSigner', Uint8Array>;
  rootKey: TestKey;
  issuingKey: TestKey;
}

async function issue(issuer: CertificateIssuer, signerKey: TestKey, subject: Parameters<typeof encodeName>[0], subjectKey: TestKey, extensions: Extension[], years = 1) {
  return buildCertificate({
    issuer,
    signer: signerKey.signer,
    subjectName: encodeName(subject),
    subjectSpki: subjectKey.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + years * YEAR),
    extensions,
  });
}

async function buildChain(label: string, newKey: () => TestKey): Promise<Chain> {
  const rootKey = newKey();
  const issuingKey = newKey();
  const rootName = encodeName({ C: 'CN', O: 'ecert 测试', CN: `ecert 根CA ${label}` });
  const root = await buildCertificate({
    issuer: { name: rootName, spki: rootKey.signer.spki },
    signer: rootKey.signer,
    subjectName: rootName,
    subjectSpki: rootKey.signer.spki,
    serialNumber: newSerialNumber(),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 20 * YEAR),
    extensions: certificateProfiles.rootCa({ subjectSpki: rootKey.signer.spki }),
  });
  const issuing = await issue(
    issuerFromCertificate(root),
    rootKey,
    { C: 'CN', O: 'ecert 测试', CN: `ecert 签发CA ${label}` },
    issuingKey,
    certificateProfiles.issuingCa({
      subjectSpki: issuingKey.signer.spki,
      crlUrl: 'http://pki.ecert.example/crl/root.crl',
      caIssuersUrl: 'http://pki.ecert.example/ca/root.cer',
      policies: [{ oid: '2.5.29.32.0' }],
    }),
    10,
  );
  const issuer = issuerFromCertificate(issuing);
  const unitKey = newKey();
  const personKey = newKey();
  const sealKey = newKey();
  const ocspKey = newKey();
  const unit = await issue(
    issuer,
    issuingKey,
    certificateProfiles.unitSubject({ province: '广东省', city: '广州市', unitName: '广州市某某科技有限公司' }),
    unitKey,
    certificateProfiles.unit({ subjectSpki: unitKey.signer.spki, uscc: USCC, ...links, policies: [{ oid: '1.2.156.9999.1.1', cpsUri: 'http://pki.ecert.example/cps' }] }),
  );
  const personal = await issue(
    issuer,
    issuingKey,
    certificateProfiles.personalSubject({ province: '广东省', city: '广州市', unitName: '广州市某某科技有限公司', personName: '张三' }),
    personKey,
    certificateProfiles.personal({ subjectSpki: personKey.signer.spki, idNumber: ID_NUMBER, ...links }),
  );
  const sealMaker = await issue(issuer, issuingKey, { C: 'CN', O: 'ecert 测试', CN: '制章者' }, sealKey, certificateProfiles.sealMaker({ subjectSpki: sealKey.signer.spki, ...links }));
  const ocspSigner = await issue(issuer, issuingKey, { C: 'CN', O: 'ecert 测试', CN: `OCSP ${label}` }, ocspKey, certificateProfiles.ocspSigner({ subjectSpki: ocspKey.signer.spki }));
  return { root, issuing, leaves: { unit, personal, sealMaker, ocspSigner }, rootKey, issuingKey };
}

/** The signed bytes and the signature (BIT STRING content) of a certificate, read with asn1js. */
function tbsAndSignature(cert: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
  const parsed = asn1js.fromBER(cert);
  const [tbs, , sig] = (parsed.result as asn1js.Sequence).valueBlock.value as [asn1js.Sequence, asn1js.Sequence, asn1js.BitString];
  return { tbs: new Uint8Array(tbs.toBER()), signature: new Uint8Array(sig.valueBlock.valueHexView) };
}

function opensslText(name: string, der: Uint8Array): string {
  const file = ws.write(`${name}.der`, der);
  return ws.run(['x509', '-inform', 'DER', '-in', file, '-text', '-noout', '-nameopt', 'utf8,sep_comma_plus_space']);
}

for (const [label, newKey] of [
  ['ECDSA P-256', () => ecdsaTestKey('P-256')],
  ['RSA-2048', () => rsaTestKey(2048)],
] as const) {
  describe(`${label} chain root → issuing → leaves`, () => {
    let chain: Chain;
    const tag = label.replace(/\W/g, '');
    beforeAll(async () => {
      chain = await buildChain(label, newKey);
      ws.write(`${tag}-root.pem`, encodePem('CERTIFICATE', chain.root));
      ws.write(`${tag}-issuing.pem`, encodePem('CERTIFICATE', chain.issuing));
    });

    it.each(['unit', 'personal', 'sealMaker', 'ocspSigner'] as const)('openssl verify -x509_strict accepts the %s certificate', (leaf) => {
      const file = ws.write(`${tag}-${leaf}.pem`, encodePem('CERTIFICATE', chain.leaves[leaf]));
      const out = ws.run(['verify', '-x509_strict', '-CAfile', `${tag}-root.pem`, '-untrusted', `${tag}-issuing.pem`, file]);
      expect(out).toContain(`${file}: OK`);
    });

    it('openssl refuses the leaf without the issuing CA, and against a foreign root', async () => {
      const file = ws.write(`${tag}-unit.pem`, encodePem('CERTIFICATE', chain.leaves.unit));
      expect(() => ws.run(['verify', '-CAfile', `${tag}-root.pem`, file])).toThrow(/unable to get local issuer/);
      const other = await buildChain(`${label} other`, newKey);
      ws.write(`${tag}-other-root.pem`, encodePem('CERTIFICATE', other.root));
      expect(() => ws.run(['verify', '-CAfile', `${tag}-other-root.pem`, '-untrusted', `${tag}-issuing.pem`, file])).toThrow();
    });

    it('root and issuing CA show the CA extensions', () => {
      const root = opensslText(`${tag}-root`, chain.root);
      expect(root).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
      expect(root).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(root).toContain('X509v3 Subject Key Identifier');
      expect(root).not.toContain('Authority Key Identifier');
      expect(root).toContain('Subject: C=CN, O=ecert 测试, CN=ecert 根CA');
      const issuing = opensslText(`${tag}-issuing`, chain.issuing);
      expect(issuing).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(issuing).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(issuing).toContain('X509v3 Authority Key Identifier');
      expect(issuing).toContain('URI:http://pki.ecert.example/crl/root.crl');
      expect(issuing).toContain('CA Issuers - URI:http://pki.ecert.example/ca/root.cer');
      expect(issuing).toMatch(/X509v3 Certificate Policies:\s+Policy: X509v3 Any Policy/);
    });

    it('unit and personal certificates show key usage, CRL DP, AIA and the identifier extensions', () => {
      for (const leaf of ['unit', 'personal'] as const) {
        const text = opensslText(`${tag}-${leaf}`, chain.leaves[leaf]);
        expect(text).toContain('Version: 3 (0x2)');
        expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
        expect(text).toMatch(/X509v3 Basic Constraints:\s+CA:FALSE/);
        expect(text).toContain('X509v3 Subject Key Identifier');
        expect(text).toContain('X509v3 Authority Key Identifier');
        expect(text).toMatch(/X509v3 CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/pki.ecert.example\/crl\/issuing.crl/);
        expect(text).toContain('OCSP - URI:http://pki.ecert.example/ocsp');
        expect(text).toContain('CA Issuers - URI:http://pki.ecert.example/ca/issuing.cer');
        expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication, (Document Signing|1\.3\.6\.1\.5\.5\.7\.3\.36)\n/);
      }
      const unit = opensslText(`${tag}-unit`, chain.leaves.unit);
      expect(unit).toContain('Subject: C=CN, ST=广东省, L=广州市, O=广州市某某科技有限公司, CN=广州市某某科技有限公司');
      expect(unit).toMatch(new RegExp(`1\\.2\\.156\\.10260\\.4\\.1\\.4:\\s+\\.\\.${USCC}`));
      expect(unit).toMatch(/Policy: 1\.2\.156\.9999\.1\.1\s+CPS: http:\/\/pki\.ecert\.example\/cps/);
      const personal = opensslText(`${tag}-personal`, chain.leaves.personal);
      expect(personal).toContain('Subject: C=CN, ST=广东省, L=广州市, O=广州市某某科技有限公司, CN=张三');
      expect(personal).toMatch(new RegExp(`1\\.2\\.156\\.10260\\.4\\.1\\.1:\\s+\\.\\.${ID_NUMBER}`));
    });

    it('seal maker and OCSP signer show their profile', () => {
      const seal = opensslText(`${tag}-seal`, chain.leaves.sealMaker);
      expect(seal).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
      expect(seal).toMatch(/X509v3 Extended Key Usage:\s+2\.25\.117942270407676039753596872925081384609\.1\.1\n/);
      const ocsp = opensslText(`${tag}-ocsp`, chain.leaves.ocspSigner);
      expect(ocsp).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
      expect(ocsp).toMatch(/X509v3 Extended Key Usage:\s+OCSP Signing/);
      expect(ocsp).toContain('OCSP No Check');
      expect(ocsp).not.toContain('CRL Distribution Points');
    });

    it('@peculiar/x509 parses every certificate and verifies it with the issuer key', async () => {
      const root = new x509.X509Certificate(chain.root);
      const issuing = new x509.X509Certificate(chain.issuing);
      expect(await root.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
      expect(await issuing.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
      for (const der of Object.values(chain.leaves)) {
        const leaf = new x509.X509Certificate(der);
        expect(await leaf.verify({ publicKey: issuing.publicKey, signatureOnly: true })).toBe(true);
        expect(await leaf.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(false);
        expect(leaf.issuer).toBe(issuing.subject);
      }
      for (const der of Object.values(chain.leaves)) {
        const { tbs, signature } = tbsAndSignature(der);
        const oid = chain.issuingKey.signer.signatureAlgorithmOid;
        expect(verifySignature({ spki: chain.issuingKey.signer.spki, signatureAlgorithmOid: oid, data: tbs, signature })).toBe(true);
      }
      const unit = new x509.X509Certificate(chain.leaves.unit);
      const ku = unit.getExtension(x509.KeyUsagesExtension)!;
      expect(ku.critical).toBe(true);
      expect(ku.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
      expect(unit.getExtension('1.2.156.10260.4.1.4')!.critical).toBe(false);
      const ski = issuing.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
      expect(unit.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(ski);
    });
  });
}

describe('SM2 chain root → issuing → leaf', () => {
  let root: Uint8Array;
  let issuing: Uint8Array;
  let unit: Uint8Array;
  let rootKey: Sm2TestKey;
  let issuingKey: Sm2TestKey;
  beforeAll(async () => {
    rootKey = sm2TestKey();
    issuingKey = sm2TestKey();
    const unitKey = sm2TestKey();
    const rootName = encodeName({ C: 'CN', O: 'ecert 测试', CN: 'ecert 根CA SM2' });
    root = await buildCertificate({
      issuer: { name: rootName, spki: rootKey.signer.spki },
      signer: rootKey.signer,
      subjectName: rootName,
      subjectSpki: rootKey.signer.spki,
      serialNumber: newSerialNumber(),
      notBefore: now,
      notAfter: new Date(now.getTime() + 20 * YEAR),
      extensions: certificateProfiles.rootCa({ subjectSpki: rootKey.signer.spki }),
    });
    issuing = await issue(issuerFromCertificate(root), rootKey, { C: 'CN', CN: 'ecert 签发CA SM2' }, issuingKey, certificateProfiles.issuingCa({ subjectSpki: issuingKey.signer.spki }), 10);
    unit = await issue(
      issuerFromCertificate(issuing),
      issuingKey,
      certificateProfiles.unitSubject({ province: '广东省', city: '广州市', unitName: '某单位' }),
      unitKey,
      certificateProfiles.unit({ subjectSpki: unitKey.signer.spki, uscc: USCC, ...links }),
    );
  });

  /** Extracts TBS and signature with `openssl asn1parse -strparse` and checks with `openssl dgst -sm3`. */
  function opensslSm2Verify(name: string, cert: Uint8Array, issuerKey: Sm2TestKey): string {
    ws.write(`${name}.der`, cert);
    ws.write(`${name}-issuer-pub.pem`, issuerKey.publicKeyPem);
    const layout = ws.run(['asn1parse', '-inform', 'DER', '-in', `${name}.der`]);
    const top = [...layout.matchAll(/^\s*(\d+):d=1/gm)].map((m) => m[1]!);
    expect(top).toHaveLength(3); // tbsCertificate, signatureAlgorithm, signatureValue
    ws.run(['asn1parse', '-inform', 'DER', '-in', `${name}.der`, '-strparse', top[0]!, '-noout', '-out', `${name}-tbs.der`]);
    ws.run(['asn1parse', '-inform', 'DER', '-in', `${name}.der`, '-strparse', top[2]!, '-noout', '-out', `${name}-sig.der`]);
    return ws.run([
      'dgst', '-sm3', '-sigopt', 'distid:1234567812345678',
      '-verify', `${name}-issuer-pub.pem`, '-signature', `${name}-sig.der`, `${name}-tbs.der`,
    ]);
  }

  it('every signature verifies in OpenSSL as SM2-with-SM3 with ID 1234567812345678', () => {
    expect(opensslSm2Verify('sm2-root', root, rootKey)).toContain('Verified OK');
    expect(opensslSm2Verify('sm2-issuing', issuing, rootKey)).toContain('Verified OK');
    expect(opensslSm2Verify('sm2-unit', unit, issuingKey)).toContain('Verified OK');
    expect(() => opensslSm2Verify('sm2-unit-wrong', unit, rootKey)).toThrow(/Verification failure/);
  });

  it('every signature verifies with sm-crypto-v2 over the TBS bytes', () => {
    for (const [cert, key] of [[root, rootKey], [issuing, rootKey], [unit, issuingKey]] as const) {
      const { tbs, signature } = tbsAndSignature(cert);
      expect(sm2VerifyForTest(key.publicKeyHex, tbs, signature)).toBe(true);
    }
  });

  it('every signature verifies with the project SM2 verifier, and fails under the wrong issuer key', () => {
    for (const [cert, key, wrong] of [[root, rootKey, issuingKey], [issuing, rootKey, issuingKey], [unit, issuingKey, rootKey]] as const) {
      const { tbs, signature } = tbsAndSignature(cert);
      const check = (spki: Uint8Array) => verifySignature({ spki, signatureAlgorithmOid: OID.sm2WithSm3, data: tbs, signature });
      expect(check(key.signer.spki)).toBe(true);
      expect(check(wrong.signer.spki)).toBe(false);
    }
  });

  it('openssl decodes the SM2 certificates', () => {
    const text = opensslText('sm2-unit-text', unit);
    expect(text).toContain('Signature Algorithm: SM2-with-SM3');
    expect(text).toContain('ASN1 OID: SM2');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    expect(text).toContain('1.2.156.10260.4.1.4');
  });
});
