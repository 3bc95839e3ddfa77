import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real RFC 3161 time-stamping authority for tests: `openssl ts -reply` behind a small HTTP
 * server (application/timestamp-query in, application/timestamp-reply out), with its own
 * self-signed TSA certificate (extendedKeyUsage critical timeStamping).
 */
export interface TestTsa {
  url: string;
  certificatePem: string;
  requests: number;
  close(): Promise<void>;
}

export async function startTestTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecert-tsa-'));
  const file = (n: string) => path.join(dir, n);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(file('serial'), '01\n');
  writeFileSync(
    file('tsa.cnf'),
    ['[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `serial = ${file('serial')}`, 'crypto_device = builtin', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256, sm3', 'accuracy = secs:1', 'ordering = no', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', ''].join('\n'),
  );
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'tsa.key']);
  openssl(['req', '-new', '-x509', '-key', 'tsa.key', '-subj', '/C=CN/O=ecert test/CN=test TSA', '-days', '30', '-addext', 'extendedKeyUsage=critical,timeStamping', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'basicConstraints=CA:FALSE', '-out', 'tsa.pem']);
  let n = 0;
  const tsa: TestTsa = { url: '', certificatePem: readFileSync(file('tsa.pem'), 'utf8'), requests: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      tsa.requests++;
      const q = file(`q${++n}.tsq`);
      const r = file(`r${n}.tsr`);
      try {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') throw new Error('not a timestamp query');
        writeFileSync(q, Buffer.concat(chunks));
        openssl(['ts', '-reply', '-config', file('tsa.cnf'), '-queryfile', q, '-signer', file('tsa.pem'), '-inkey', file('tsa.key'), '-out', r]);
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(r));
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end((e as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  tsa.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/tsa`;
  tsa.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      rmSync(dir, { recursive: true, force: true });
    });
  return tsa;
}
