import path from 'node:path';
import { readFileSync } from 'node:fs';
import { BenchError, mustRun, run } from './procs';

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function opensslVersion(): Promise<string> {
  return (await mustRun('openssl', ['version'], { timeoutMs: 10_000 })).trim();
}

/**
 * One key and one CSR made by `openssl req`, as a UKey vendor tool would: P-256 with SHA-256,
 * SM2 with SM3 and the standard signer ID 1234567812345678. The bench reuses the CSR for every
 * request (the CA signs a new certificate each time; the subscriber key is not what is measured).
 */
export async function makeCsr(dir: string, kind: 'p256' | 'sm2'): Promise<{ csrPem: string; keyPath: string }> {
  const keyPath = path.join(dir, `${kind}.key`);
  const csrPath = path.join(dir, `${kind}.csr`);
  const curve = kind === 'sm2' ? 'SM2' : 'P-256';
  await mustRun('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', keyPath]);
  const sign = kind === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : ['-sha256'];
  await mustRun('openssl', ['req', '-new', '-key', keyPath, '-subj', '/C=CN/O=ecert bench/CN=bench', ...sign, '-out', csrPath]);
  return { csrPem: readFileSync(csrPath, 'utf8'), keyPath };
}

export interface SpeedResult {
  signPerS: number;
  verifyPerS: number;
  command: string;
}

/**
 * `openssl speed -seconds N <alg>` (single process, one core). Its result table line is e.g.
 * ` 256 bits ecdsa (nistp256)   0.0000s   0.0001s  32933.0  11581.0` — sign/s is the third number.
 */
export async function opensslSpeed(alg: 'ecdsap256' | 'sm2', seconds: number): Promise<SpeedResult> {
  const args = ['speed', '-seconds', String(seconds), alg];
  const r = await run('openssl', args, { timeoutMs: (seconds * 2 + 30) * 1000 });
  const pattern = alg === 'sm2' ? /SM2 \([^)]*\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)/ : /ecdsa \(nistp256\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)/;
  const m = pattern.exec(r.stdout);
  if (!m) throw new BenchError(`could not parse openssl ${args.join(' ')} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return { signPerS: Number(m[1]), verifyPerS: Number(m[2]), command: `openssl ${args.join(' ')}` };
}
