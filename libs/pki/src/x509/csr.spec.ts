import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { publicKeyFingerprint } from '../crypto/public-key-fingerprint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsrError, acceptCsr, parseCsr, verifyCsrProofOfPossession, type CsrErrorCode } from './csr';
import { decodePem, encodePem } from './pem';
import { buildCertificate, newSerialNumber } from './certificate-builder';
import { derBitString, derSequence } from './der-encoding';
import { encodeName } from './distinguished-name';
import { ecdsaTestKey, opensslWorkspace } from './test-signers.spec-helper';

const ws = opensslWorkspace('ecert-csr-');
afterAll(() => ws.cleanup());

const SUBJECT = '/C=CN/ST=广东省/L=广州市/O=广州市某某科技有限公司/CN=张三';
const SUBJECT_TEXT = 'C=CN, ST=广东省, L=广州市, O=广州市某某科技有限公司, CN=张三';

interface MadeCsr {
  pem: string;
  der: Uint8Array;
  /** DER SPKI as `openssl pkey -pubout` writes it. */
  spki: Uint8Array;
}

function makeCsr(name: string, genpkey: string[], reqOpts: string[]): MadeCsr {
  ws.run(['genpkey', ...genpkey, '-out', `${name}.key`]);
  ws.run(['req', '-new', '-key', `${name}.key`, ...reqOpts, '-utf8', '-subj', SUBJECT, '-out', `${name}.csr`]);
  ws.run(['pkey', '-in', `${name}.key`, '-pubout', '-outform', 'DER', '-out', `${name}.pub.der`]);
  const pem = ws.run(['req', '-in', `${name}.csr`]); // prints the PEM
  return { pem, der: decodePem(pem).der, spki: new Uint8Array(readFileSync(ws.path(`${name}.pub.der`))) };
}

const csrs: Record<'p256' | 'rsa2048' | 'sm2' | 'rsa1024' | 'sm2WrongId' | 'rsaPss' | 'sha1', MadeCsr> = {} as never;

beforeAll(() => {
  csrs.p256 = makeCsr('p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256']);
  csrs.rsa2048 = makeCsr('rsa2048', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sha256']);
  csrs.sm2 = makeCsr('sm2', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'], ['-sm3', '-sigopt', 'distid:1234567812345678']);
  csrs.rsa1024 = makeCsr('rsa1024', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], ['-sha256']);
  // Same SM2 scheme, but signed under another user ID: must not pass as the standard one.
  csrs.sm2WrongId = makeCsr('sm2b', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'], ['-sm3', '-sigopt', 'distid:ecert-other-id']);
  csrs.rsaPss = makeCsr('rsapss', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']);
  csrs.sha1 = makeCsr('sha1', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha1']);
});

function codeOf(fn: () => unknown): CsrErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CsrError);
    return (e as CsrError).code;
  }
  return undefined;
}

/** Replaces the first occurrence of `from` (same length) in a copy of `der`. */
function patch(der: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const hay = Buffer.from(der);
  const at = hay.indexOf(Buffer.from(from));
  expect(at).toBeGreaterThan(0);
  const out = new Uint8Array(der);
  out.set(to, at);
  return out;
}

describe('CSRs made by openssl req -new', () => {
  it.each([
    ['p256', 'ecdsa', '1.2.840.10045.4.3.2'],
    ['rsa2048', 'rsa', '1.2.840.113549.1.1.11'],
    ['sm2', 'sm2', '1.2.156.10197.1.501'],
  ] as const)('%s parses and passes proof of possession', (name, family, sigOid) => {
    const csr = acceptCsr(csrs[name].pem);
    expect(csr.subject).toBe(SUBJECT_TEXT);
    expect(csr.keyFamily).toBe(family);
    expect(csr.signatureAlgorithmOid).toBe(sigOid);
    expect(csr.subjectSpki).toEqual(csrs[name].spki);
    expect(csr.der).toEqual(csrs[name].der);
    // DER input (and PEM given as bytes) give the same result.
    expect(acceptCsr(csrs[name].der).certificationRequestInfo).toEqual(csr.certificationRequestInfo);
    expect(acceptCsr(new TextEncoder().encode(csrs[name].pem)).subjectSpki).toEqual(csr.subjectSpki);
    // The fingerprint made from intake's one decode of the key is the key's own (openssl's DER, hashed).
    expect(csr.subjectKeyFingerprint).toBe(createHash('sha256').update(csrs[name].spki).digest('hex'));
    expect(csr.subjectKeyFingerprint).toBe(publicKeyFingerprint(csr.subjectSpki));
  });

  it('lists requested attributes without interpreting them', () => {
    const csr = parseCsr(csrs.p256.pem);
    for (const a of csr.attributes) expect(a.type).toMatch(/^\d+(\.\d+)+$/);
  });

  it('RSASSA-PSS requests from an rsaEncryption key are accepted (PoP only; the CA signs with its own scheme)', () => {
    const csr = acceptCsr(csrs.rsaPss.pem);
    expect(csr.signatureAlgorithmOid).toBe('1.2.840.113549.1.1.10');
    expect(csr.signatureAlgorithmParameters).toBeInstanceOf(Uint8Array);
  });

  it('a certificate issued for an accepted CSR carries its key byte for byte', async () => {
    const csr = acceptCsr(csrs.sm2.pem);
    const ca = ecdsaTestKey();
    const cert = await buildCertificate({
      issuer: { name: encodeName({ CN: 'CA' }), spki: ca.signer.spki },
      signer: ca.signer,
      subjectName: encodeName({ C: 'CN', CN: '张三' }),
      subjectSpki: csr.subjectSpki,
      serialNumber: newSerialNumber(),
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      extensions: [],
    });
    ws.write('issued.der', cert);
    ws.run(['x509', '-inform', 'DER', '-in', 'issued.der', '-pubkey', '-noout', '-out', 'issued.pub.pem']);
    ws.run(['pkey', '-pubin', '-in', 'issued.pub.pem', '-outform', 'DER', '-out', 'issued.pub.der']);
    expect(new Uint8Array(readFileSync(ws.path('issued.pub.der')))).toEqual(csrs.sm2.spki);
  });

  it('parses a request whose CertificationRequestInfo omits the empty attributes field', () => {
    const original = parseCsr(csrs.p256.der);
    const cri = derSequence(Uint8Array.of(2, 1, 0), original.subjectDer, original.subjectSpki);
    const der = derSequence(cri, Buffer.from('300a06082a8648ce3d040302', 'hex'), derBitString(original.signature));
    const csr = parseCsr(der);
    expect(csr.attributes).toEqual([]);
    expect(csr.subject).toBe(SUBJECT_TEXT);
    // Not what was signed, so possession is not proven.
    expect(codeOf(() => verifyCsrProofOfPossession(csr))).toBe('csr_signature_invalid');
  });

  it('accepts the legacy NEW CERTIFICATE REQUEST label', () => {
    expect(acceptCsr(encodePem('NEW CERTIFICATE REQUEST', csrs.p256.der)).subject).toBe(SUBJECT_TEXT);
  });
});

describe('rejections', () => {
  it('RSA-1024 is refused by key policy', () => {
    expect(codeOf(() => acceptCsr(csrs.rsa1024.pem))).toBe('csr_key_rejected');
    // The structure itself is fine: it is the key, not the request, that is refused.
    expect(() => verifyCsrProofOfPossession(parseCsr(csrs.rsa1024.pem))).not.toThrow();
  });

  it.each(['p256', 'rsa2048', 'sm2'] as const)('%s with a modified subject fails proof of possession', (name) => {
    const enc = new TextEncoder();
    const tampered = patch(csrs[name].der, enc.encode('张三'), enc.encode('李四'));
    const csr = parseCsr(tampered);
    expect(csr.subject).toContain('CN=李四');
    expect(codeOf(() => verifyCsrProofOfPossession(csr))).toBe('csr_signature_invalid');
    expect(codeOf(() => acceptCsr(tampered))).toBe('csr_signature_invalid');
  });

  it('an SM2 CSR signed under another user ID fails proof of possession', () => {
    expect(codeOf(() => acceptCsr(csrs.sm2WrongId.pem))).toBe('csr_signature_invalid');
  });

  it('a SHA-1 signed request is refused', () => {
    expect(codeOf(() => acceptCsr(csrs.sha1.pem))).toBe('csr_signature_invalid');
  });

  it('a signature algorithm that does not fit the key is refused', () => {
    // ecdsa-with-SHA256 → SM2-with-SM3 (both 8-byte OIDs) on a P-256 request.
    const relabelled = patch(
      csrs.p256.der,
      Buffer.from('06082a8648ce3d040302', 'hex'),
      Buffer.from('06082a811ccf55018375', 'hex'),
    );
    expect(codeOf(() => acceptCsr(relabelled))).toBe('csr_signature_invalid');
  });

  it('a flipped signature bit fails proof of possession', () => {
    const der = new Uint8Array(csrs.rsa2048.der);
    der[der.length - 5]! ^= 0x01;
    expect(codeOf(() => acceptCsr(der))).toBe('csr_signature_invalid');
  });

  it.each([
    ['empty string', ''],
    ['garbage text', 'hello, I am not a CSR'],
    ['garbage PEM body', '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n'],
    ['valid base64, not DER', encodePem('CERTIFICATE REQUEST', new TextEncoder().encode('not der at all'))],
  ])('%s → csr_malformed', (_, input) => {
    expect(codeOf(() => parseCsr(input))).toBe('csr_malformed');
  });

  it('truncated PEM and DER, trailing bytes, wrong label and random bytes → csr_malformed', () => {
    const { pem, der } = csrs.p256;
    expect(codeOf(() => parseCsr(pem.slice(0, pem.length / 2)))).toBe('csr_malformed');
    const lines = pem.trimEnd().split('\n');
    expect(codeOf(() => parseCsr([...lines.slice(0, 3), lines.at(-1)].join('\n')))).toBe('csr_malformed');
    for (const cut of [1, 10, der.length / 2, der.length - 1]) {
      expect(codeOf(() => parseCsr(der.subarray(0, cut)))).toBe('csr_malformed');
    }
    expect(codeOf(() => parseCsr(new Uint8Array([...der, 0])))).toBe('csr_malformed');
    expect(codeOf(() => parseCsr(encodePem('CERTIFICATE', der)))).toBe('csr_malformed');
    expect(codeOf(() => parseCsr(new Uint8Array(300).map((_, i) => (i * 37) & 0xff)))).toBe('csr_malformed');
    expect(codeOf(() => parseCsr(new Uint8Array(200_000)))).toBe('csr_malformed');
  });

  it('errors carry a Chinese message and the English detail', () => {
    try {
      parseCsr('junk');
      expect.unreachable();
    } catch (e) {
      const err = e as CsrError;
      expect(err.messageZh).toBe('证书请求（CSR）格式错误');
      expect(err.message).toMatch(/^证书请求（CSR）格式错误 \(.+\)$/);
      expect(err.detail).toMatch(/[a-z]/);
    }
  });
});
