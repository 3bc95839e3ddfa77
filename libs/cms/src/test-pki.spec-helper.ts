/**
 * Test-only PKIs made by the openssl CLI (a real peer, independent of @ecert/pki's builders): a CA
 * and a signing certificate for P-256, P-384, RSA-2048 or SM2, with files for openssl and a Signer
 * over the leaf key. SM2 certificates are signed with the standard ID (distid 1234567812345678).
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OID, decodePem, sm2PrivateKeyFromPkcs8, type Signer } from '@ecert/pki';
import { parseCertificate } from '@ecert/ses';
import { opensslWorkspace } from '../../pki/src/x509/test-signers.spec-helper';

export type TestKeyKind = 'p256' | 'p384' | 'rsa2048' | 'sm2';
export const SM2_DISTID = 'distid:1234567812345678';

export interface CmsTestPki {
  readonly kind: TestKeyKind;
  readonly ws: ReturnType<typeof opensslWorkspace>;
  readonly caPem: string;
  readonly caDer: Uint8Array;
  readonly leafPem: string;
  readonly leafDer: Uint8Array;
  /** PKCS#8 PEM of the leaf key. */
  readonly leafKey: string;
  readonly signer: Signer;
}

const GENPKEY: Record<TestKeyKind, string[]> = {
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  sm2: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'],
};

export function createCmsTestPki(kind: TestKeyKind): CmsTestPki {
  const ws = opensslWorkspace(`ecert-cms-${kind}-`);
  const sm2 = kind === 'sm2';
  const md = sm2 ? ['-sm3', '-sigopt', SM2_DISTID] : ['-sha256'];
  ws.write(
    'leaf.cnf',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  ws.run(['genpkey', ...GENPKEY[kind], '-out', 'ca.key']);
  ws.run(['genpkey', ...GENPKEY[kind], '-out', 'leaf.key']);
  ws.run([
    'req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.pem', '-days', '30', ...md,
    '-subj', `/C=CN/O=ecert test/CN=cms test CA ${kind}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  ws.run(['req', '-new', '-key', 'leaf.key', '-out', 'leaf.csr', ...md, '-subj', `/C=CN/O=ecert test/CN=cms signer ${kind}`]);
  ws.run([
    'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem',
    '-days', '30', '-extfile', 'leaf.cnf', ...md, ...(sm2 ? ['-vfyopt', SM2_DISTID] : []),
  ]);
  const caPem = readFileSync(ws.path('ca.pem'), 'utf8');
  const leafPem = readFileSync(ws.path('leaf.pem'), 'utf8');
  const leafKey = readFileSync(ws.path('leaf.key'), 'utf8');
  const leafDer = pemDer(leafPem);
  return { kind, ws, caPem, caDer: pemDer(caPem), leafPem, leafDer, leafKey, signer: signerFor(kind, leafKey, leafDer) };
}

export function pemDer(pem: string): Uint8Array {
  return decodePem(pem).der;
}

function signerFor(kind: TestKeyKind, keyPem: string, certDer: Uint8Array): Signer {
  const spki = spkiOfCertificate(certDer);
  if (kind === 'sm2') {
    const key = sm2PrivateKeyFromPkcs8(pemDer(keyPem));
    return { algorithm: 'SM2', signatureAlgorithmOid: OID.sm2WithSm3, spki, sign: async (data) => key.sign(data) };
  }
  const key = createPrivateKey(keyPem);
  if (kind === 'rsa2048') {
    return { algorithm: 'RSA-2048', signatureAlgorithmOid: OID.sha256WithRsa, spki, sign: async (d) => new Uint8Array(nodeSign('sha256', d, key)) };
  }
  const p256 = kind === 'p256';
  return {
    algorithm: p256 ? 'EC-P256' : 'EC-P384',
    signatureAlgorithmOid: p256 ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384,
    spki,
    sign: async (d) => new Uint8Array(nodeSign(p256 ? 'sha256' : 'sha384', d, { key, dsaEncoding: 'der' })),
  };
}

function spkiOfCertificate(der: Uint8Array): Uint8Array {
  return parseCertificate(der).spki;
}

/** Runs openssl in the workspace without throwing: exit status and stdout+stderr (cms -verify reports on stderr). */
export function opensslStatus(pki: CmsTestPki, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync('openssl', args, { cwd: pki.ws.dir, encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `openssl cms -verify` of a detached DER container over `data`, trusting the test CA. */
export function opensslCmsVerify(pki: CmsTestPki, cms: Uint8Array, data: Uint8Array): { ok: boolean; out: string } {
  pki.ws.write('sig.der', cms);
  pki.ws.write('data.bin', data);
  return opensslStatus(pki, ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'data.bin', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', 'out.bin']);
}
