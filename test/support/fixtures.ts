import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeOrganizationCodeCheckDigit, computeResidentIdCheckDigit, computeUsccCheckCharacter } from '@ecert/common';

let counter = 0;

/** The characters a USCC may use (GB 32100: no I, O, Z, S, V). */
const USCC_DIGITS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_BASE = (Date.now() % 1e8) * 1000;

/** A valid USCC (GB 32100) for a company registered in `region`, unique per call within a run. */
export function makeUscc(region = '450100'): string {
  // A per-process start and a counter, in base 31 over the allowed characters: unique however
  // many units a burst makes in one millisecond (a base-36 form with I/O/Z/S/V folded to 1 was not).
  let n = USCC_BASE + counter++;
  let org8 = '';
  for (let i = 0; i < 8; i++, n = Math.floor(n / 31)) org8 = USCC_DIGITS[n % 31] + org8;
  const org = org8 + computeOrganizationCodeCheckDigit(org8);
  const first17 = `91${region}${org}`;
  return first17 + computeUsccCheckCharacter(first17);
}

/** A valid resident ID number (GB 11643). */
export function makeResidentId(region = '450102', birth = '19850312'): string {
  const first17 = `${region}${birth}${String(100 + (counter++ % 900))}`;
  return first17 + computeResidentIdCheckDigit(first17);
}

export class TempDir {
  readonly path = mkdtempSync(path.join(tmpdir(), 'ecert-test-'));
  file(name: string, content?: string | Uint8Array): string {
    const p = path.join(this.path, name);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  }
  read(name: string): Buffer {
    return readFileSync(path.join(this.path, name));
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export type KeyKind = 'p256' | 'p384' | 'rsa2048' | 'rsa1024' | 'sm2';

const GENKEY: Record<KeyKind, string[]> = {
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  sm2: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'],
};

export function openssl(args: string[], input?: string | Buffer): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
}

/** Runs openssl and returns stdout+stderr and the exit code, without throwing. */
export function opensslResult(args: string[]): { code: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** A key and a CSR made by `openssl req`, as a UKey vendor tool would (SM2 with the standard ID). */
export function opensslCsr(dir: TempDir, kind: KeyKind, name = `k${counter++}`): { csr: string; keyPath: string; csrPath: string } {
  const keyPath = dir.file(`${name}.key`);
  const csrPath = dir.file(`${name}.csr`);
  openssl(['genpkey', ...GENKEY[kind], '-out', keyPath]);
  const sm2 = kind === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : kind.startsWith('rsa') ? ['-sha256'] : ['-sha256'];
  openssl(['req', '-new', '-key', keyPath, '-subj', '/C=CN/O=ecert test/CN=requested', ...sm2, '-out', csrPath]);
  return { csr: readFileSync(csrPath, 'utf8'), keyPath, csrPath };
}

/**
 * Async openssl, for commands that talk to the platform running in this same process: a
 * synchronous child would block the event loop the gateway needs to answer it.
 */
export function opensslAsync(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** The same CSR with one byte of its subject changed: well-formed, but the signature no longer matches. */
export function tamperCsrSubject(csrPem: string): string {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('requested'));
  if (at < 0) throw new Error('subject marker not found');
  der[at] = 'R'.charCodeAt(0);
  const b64 = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${b64}\n-----END CERTIFICATE REQUEST-----\n`;
}
