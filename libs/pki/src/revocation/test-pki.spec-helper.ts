/**
 * Test-only CA fixtures made with the real `openssl` CLI (the peer the interop tests check
 * against): a CA, leaves with chosen serials, a delegated OCSP signer. Everything lives in one
 * temp directory that `cleanup()` removes.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signer } from '../crypto/signer';
import { certificateFields } from './certificate-fields';
import { nodeSigner } from './test-signer.spec-helper';

export const OPENSSL = '/usr/bin/openssl';

export interface RunResult {
  status: number | null;
  /** stdout + stderr: openssl splits its messages between them inconsistently. */
  output: string;
}

export function openssl(args: readonly string[], cwd?: string): RunResult {
  const r = spawnSync(OPENSSL, args, { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Async variant for tests that serve openssl from the same process (a sync call would deadlock). */
export function opensslAsync(args: readonly string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(OPENSSL, args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_crldp_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.ecert.test/part-1.crl
[ocsp_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

export type KeyKind = 'ec' | 'rsa';

export interface TestCert {
  /** Path of the PEM file. */
  pem: string;
  /** Path of the PEM private key. */
  key: string;
  der: Uint8Array;
  signer: Signer;
}

export class TestPki {
  readonly ca: TestCert & { subject: Uint8Array; spki: Uint8Array };

  private constructor(
    readonly dir: string,
    readonly kind: KeyKind,
  ) {
    writeFileSync(this.path('openssl.cnf'), CONFIG);
    const cert = this.makeCert('ca', `/C=CN/O=ecert test/CN=Test CA ${kind}`, 'ca_ext', ['-days', '30']);
    const { subject, spki } = certificateFields(cert.der);
    this.ca = { ...cert, subject, spki };
  }

  static create(kind: KeyKind): TestPki {
    return new TestPki(mkdtempSync(join(tmpdir(), `ecert-revocation-${kind}-`)), kind);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A leaf signed by the CA with the given serial (hex). */
  issueLeaf(name: string, serialHex: string, options: { crlDistributionPoint?: boolean } = {}): TestCert {
    const ext = options.crlDistributionPoint ? 'leaf_crldp_ext' : 'leaf_ext';
    return this.makeCert(name, `/C=CN/O=ecert test/CN=${name}`, ext, [
      '-days', '10', '-CA', this.ca.pem, '-CAkey', this.ca.key, '-set_serial', `0x${serialHex}`,
    ]);
  }

  /** A delegated OCSP responder certificate (EKU OCSPSigning, ocsp-nocheck). */
  issueOcspSigner(name = 'ocsp'): TestCert {
    return this.makeCert(name, `/C=CN/O=ecert test/CN=OCSP ${this.kind}`, 'ocsp_ext', [
      '-days', '10', '-CA', this.ca.pem, '-CAkey', this.ca.key, '-set_serial', '0x0c5b',
    ]);
  }

  write(name: string, bytes: Uint8Array | string): string {
    writeFileSync(this.path(name), bytes);
    return this.path(name);
  }

  run(args: readonly string[]): RunResult {
    return openssl(args, this.dir);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private makeCert(name: string, subject: string, ext: string, extra: readonly string[]): TestCert {
    const keyAlg = this.kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    const r = this.run([
      'req', '-x509', '-config', 'openssl.cnf', ...keyAlg, '-nodes', '-sha256',
      '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', subject, '-extensions', ext, ...extra,
    ]);
    if (r.status !== 0) throw new Error(`openssl req failed for ${name}: ${r.output}`);
    const pem = this.path(`${name}.pem`);
    const key = this.path(`${name}.key`);
    return { pem, key, der: pemToDer(readFileSync(pem, 'utf8')), signer: nodeSigner(readFileSync(key, 'utf8')) };
  }
}
