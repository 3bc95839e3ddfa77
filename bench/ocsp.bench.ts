import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type pg from 'pg';
import type { CaView, CertificateView } from '@ecert/contracts';
import { BenchError, mustRun, run, sleep, startDaemon } from './procs';
import { freePort, httpJson } from './platform';
import { runWrk, writeWrkScript, type WrkResult } from './wrk';
import { formatCpu } from './cpu';
import type { TargetCheck } from './report';

/**
 * OCSP: ecert's responder (POST /pki/ocsp) against `openssl ocsp -index ... -multi 2` on the same
 * machine, both driven by `wrk -t1 -c8` POSTing one fixed DER request.
 *
 * ecert's OCSP signer key cannot be exported, so the peer is a throwaway P-256 CA with a delegated
 * P-256 responder certificate (OCSPSigning), whose index.txt lists the very certificates ecert
 * issued under ecdsa-issuing in this run (same serials, subjects, notAfter). Each side is asked about
 * the same serial, a certificate issued by ecert's P-256 issuing CA (answered by ecert's P-256
 * delegated responder ecdsa-ocsp).
 *
 * Two request variants: without nonce (`-no_nonce`: ecert answers these from its gateway cache,
 * as RFC 5019 allows; openssl signs every time) and with a nonce (fixed nonce bytes in every
 * request: the gateway takes the status from its status view and signs a fresh answer with its own
 * delegated P-256 responder key; no NATS round trip once the serial is in the view).
 */
export interface OcspRun {
  server: 'ecert' | 'openssl';
  nonce: boolean;
  wrk: WrkResult;
  /** HTTP 200 carrying OCSPResponseStatus successful(0), per second. */
  okPerS: number;
  notOk: number;
}

export interface OcspPhase {
  runs: OcspRun[];
  ratioNoNonce: number;
  ratioNonce: number;
  indexEntries: number;
  requestBytes: { ecert: number; openssl: number };
  responseBytes: { ecert: number; openssl: number };
  sanity: { ecert: string; openssl: string };
  peerCommand: string;
  /** GATEWAY_WORKERS of the platform ecert's OCSP was measured on (docs/deployment.md "Gateway workers"). */
  gatewayWorkers: number;
  /** Every request on a connection of its own (`Connection: close`), as many OCSP clients send them. */
  newConnections: boolean;
}

function ocspScript(file: string, requestDer: string, urlPath: string, newConnections: boolean): string {
  return writeWrkScript(
    file,
    `local f = assert(io.open(${JSON.stringify(requestDer)}, "rb"))
local body = f:read("*all")
f:close()
wrk.method = "POST"
wrk.path = ${JSON.stringify(urlPath)}
wrk.body = body
wrk.headers["Content-Type"] = "application/ocsp-request"${newConnections ? '\nwrk.headers["Connection"] = "close"' : ''}`,
    { countOcsp: true },
  );
}

function okRate(w: WrkResult): { okPerS: number; notOk: number } {
  const ok = w.ocspStatuses?.['0'] ?? 0;
  return { okPerS: w.durationS > 0 ? ok / w.durationS : 0, notOk: w.requests - ok };
}

/** openssl ca database line: V, notAfter (UTCTime), no revocation date, serial (upper hex), file, subject. */
function indexLine(der: Buffer): string {
  const c = new X509Certificate(der);
  const t = new Date(c.validTo);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const utc = `${p2(t.getUTCFullYear() % 100)}${p2(t.getUTCMonth() + 1)}${p2(t.getUTCDate())}${p2(t.getUTCHours())}${p2(t.getUTCMinutes())}${p2(t.getUTCSeconds())}Z`;
  const subject = '/' + c.subject.split('\n').map((s) => s.replace(/\//g, '\\/')).join('/');
  return `V\t${utc}\t\t${c.serialNumber.toUpperCase()}\tunknown\t${subject}`;
}

export async function runOcspBench(o: {
  wrk: string;
  baseUrl: string;
  dir: string;
  db: pg.Pool;
  sample: CertificateView;
  durationS: number;
  warmupS: number;
  connections: number;
  quietWaitS: number;
  gatewayWorkers: number;
  newConnections: boolean;
  log: (s: string) => void;
}): Promise<OcspPhase> {
  const { newConnections } = o;
  const f = (name: string) => path.join(o.dir, name);

  // --- ecert's side: CA certificates, the request, a sanity query with openssl as the client.
  const cas = await httpJson<CaView[]>(`${o.baseUrl}/pki/ca`);
  const find = (role: string) => cas.body.find?.((c) => c.family === 'ecdsa' && c.role === role);
  const issuing = find('issuing');
  const root = find('root');
  if (cas.status !== 200 || !issuing || !root || !find('ocsp')) throw new BenchError(`GET /pki/ca did not list the ecdsa root, issuing and ocsp certificates (${cas.status})`);
  writeFileSync(f('ecert-issuing.pem'), issuing.certificatePem);
  writeFileSync(f('ecert-chain.pem'), issuing.certificatePem + root.certificatePem);
  writeFileSync(f('leaf.pem'), o.sample.certificatePem);
  const leafSerial = new X509Certificate(o.sample.certificatePem).serialNumber.toUpperCase();

  await mustRun('openssl', ['ocsp', '-issuer', f('ecert-issuing.pem'), '-cert', f('leaf.pem'), '-reqout', f('ecert-req.der'), '-no_nonce']);
  await mustRun('openssl', ['ocsp', '-issuer', f('ecert-issuing.pem'), '-cert', f('leaf.pem'), '-reqout', f('ecert-req-nonce.der')]);
  const ecertSanity = await run('openssl', ['ocsp', '-issuer', f('ecert-issuing.pem'), '-cert', f('leaf.pem'), '-url', `${o.baseUrl}/pki/ocsp`, '-CAfile', f('ecert-chain.pem'), '-respout', f('ecert-resp.der')], { timeoutMs: 20_000 });
  const ecertOut = `${ecertSanity.stdout}${ecertSanity.stderr}`;
  if (!/: good/.test(ecertOut) || !/Response verify OK/.test(ecertOut)) throw new BenchError(`ecert OCSP sanity check failed:\n${ecertOut}`);

  // --- the openssl peer: throwaway P-256 CA + delegated responder; index = ecert's P-256 certificates.
  await mustRun('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('peer-ca.key'), '-out', f('peer-ca.pem'),
    '-subj', '/C=CN/O=ecert bench peer/CN=Peer P-256 CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await mustRun('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('peer-ocsp.key'), '-out', f('peer-ocsp.csr'),
    '-subj', '/C=CN/O=ecert bench peer/CN=Peer P-256 OCSP']);
  writeFileSync(f('peer-ocsp.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,OCSPSigning\n');
  await mustRun('openssl', ['x509', '-req', '-in', f('peer-ocsp.csr'), '-CA', f('peer-ca.pem'), '-CAkey', f('peer-ca.key'), '-set_serial', '1', '-days', '30', '-extfile', f('peer-ocsp.ext'), '-out', f('peer-ocsp.pem')]);

  const { rows } = await o.db.query<{ der: Buffer }>(`SELECT der FROM "cert"."certificate" WHERE ca_id = 'ecdsa-issuing' AND status = 'active'`);
  const lines = rows.map((r) => indexLine(r.der));
  if (!lines.some((l) => l.split('\t')[3] === leafSerial)) throw new BenchError('the sample certificate is missing from the peer index');
  writeFileSync(f('index.txt'), lines.join('\n') + '\n');
  writeFileSync(f('index.txt.attr'), 'unique_subject = no\n');

  await mustRun('openssl', ['ocsp', '-issuer', f('peer-ca.pem'), '-serial', `0x${leafSerial}`, '-reqout', f('peer-req.der'), '-no_nonce']);
  await mustRun('openssl', ['ocsp', '-issuer', f('peer-ca.pem'), '-serial', `0x${leafSerial}`, '-reqout', f('peer-req-nonce.der')]);

  const peerArgs = (port: number) => ['ocsp', '-index', f('index.txt'), '-port', String(port), '-multi', '2', '-rsigner', f('peer-ocsp.pem'), '-rkey', f('peer-ocsp.key'), '-CA', f('peer-ca.pem'), '-nmin', '10'];
  /** A fresh peer for every use: its workers stop serving after a keep-alive client leaves (bench-notes). */
  const withPeer = async <T>(label: string, fn: (url: string) => Promise<T>): Promise<T> => {
    const port = await freePort();
    const peer = startDaemon(`openssl ocsp peer (${label})`, 'openssl', peerArgs(port), { logPath: f(`peer-${label}.log`), ownGroup: true });
    try {
      await peer.waitForLog('ACCEPT', 10_000);
      await sleep(300); // workers fork right after the ACCEPT line
      if (peer.exited()) throw new BenchError(`openssl ocsp -multi exited right after binding (its errors go to syslog); log:\n${peer.logTail()}`);
      return await fn(`http://127.0.0.1:${port}`);
    } finally {
      await peer.stop(500);
    }
  };

  const peerSanity = await withPeer('sanity', async (url) =>
    run('openssl', ['ocsp', '-issuer', f('peer-ca.pem'), '-serial', `0x${leafSerial}`, '-url', url, '-CAfile', f('peer-ca.pem'), '-respout', f('peer-resp.der')], { timeoutMs: 20_000 }),
  );
  const peerOut = `${peerSanity.stdout}${peerSanity.stderr}`;
  if (!/: good/.test(peerOut) || !/Response verify OK/.test(peerOut)) throw new BenchError(`openssl ocsp peer sanity check failed:\n${peerOut}`);

  // --- measured runs
  const runs: OcspRun[] = [];
  for (const nonce of [false, true]) {
    const req = f(nonce ? 'ecert-req-nonce.der' : 'ecert-req.der');
    const script = ocspScript(f(`ocsp-ecert${nonce ? '-nonce' : ''}.lua`), req, '/pki/ocsp', newConnections);
    if (o.warmupS > 0) {
      o.log(`  warm-up ecert OCSP (${nonce ? 'nonce' : 'no nonce'}) ${o.warmupS} s ...`);
      await runWrk(o.wrk, { label: 'warm-up', url: o.baseUrl, script, connections: o.connections, durationS: o.warmupS });
      await sleep(500);
    }
    o.log(`  ecert OCSP (${nonce ? 'nonce' : 'no nonce'}): wrk -t1 -c${o.connections} -d${o.durationS}s ...`);
    const w = await runWrk(o.wrk, { label: `ecert OCSP ${nonce ? 'nonce' : 'no nonce'}`, url: o.baseUrl, script, connections: o.connections, durationS: o.durationS, quietWaitS: o.quietWaitS, log: o.log });
    runs.push({ server: 'ecert', nonce, wrk: w, ...okRate(w) });
    await sleep(500);

    const peerScript = ocspScript(f(`ocsp-peer${nonce ? '-nonce' : ''}.lua`), f(nonce ? 'peer-req-nonce.der' : 'peer-req.der'), '/', newConnections);
    o.log(`  openssl ocsp -multi 2 (${nonce ? 'nonce' : 'no nonce'}): wrk -t1 -c${o.connections} -d${o.durationS}s ...`);
    const pw = await withPeer(nonce ? 'nonce' : 'nononce', (url) =>
      runWrk(o.wrk, { label: `openssl ocsp ${nonce ? 'nonce' : 'no nonce'}`, url, script: peerScript, connections: o.connections, durationS: o.durationS, quietWaitS: o.quietWaitS, log: o.log }),
    );
    runs.push({ server: 'openssl', nonce, wrk: pw, ...okRate(pw) });
    await sleep(500);
  }

  const get = (server: OcspRun['server'], nonce: boolean) => runs.find((r) => r.server === server && r.nonce === nonce)!.okPerS;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    runs,
    ratioNoNonce: ratio(get('ecert', false), get('openssl', false)),
    ratioNonce: ratio(get('ecert', true), get('openssl', true)),
    indexEntries: lines.length,
    requestBytes: { ecert: statSync(f('ecert-req.der')).size, openssl: statSync(f('peer-req.der')).size },
    responseBytes: { ecert: readFileSync(f('ecert-resp.der')).length, openssl: readFileSync(f('peer-resp.der')).length },
    sanity: {
      ecert: ecertOut.trim().split('\n').filter((l) => /good|verify/i.test(l)).join('; '),
      openssl: peerOut.trim().split('\n').filter((l) => /good|verify/i.test(l)).join('; '),
    },
    gatewayWorkers: o.gatewayWorkers,
    newConnections,
    peerCommand: `openssl ${peerArgs(0).join(' ').replace(/ -port 0 /, ' -port <free port> ').replace(new RegExp(o.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/', 'g'), '')}`,
  };
}

const n0 = (x: number) => Math.round(x).toLocaleString('en');
const n2 = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

/** Issue 13: both variants at least twice openssl's rate, and answers with a nonce p99 < 5 ms. */
export function ocspTargets(o: OcspPhase): TargetCheck[] {
  const nonce = o.runs.find((r) => r.server === 'ecert' && r.nonce);
  return [
    { name: 'OCSP vs openssl ocsp -multi 2 (no nonce)', target: '≥ 2× openssl', measured: `${n2(o.ratioNoNonce)}×`, pass: o.ratioNoNonce >= 2 },
    {
      name: 'OCSP vs openssl ocsp -multi 2 (with nonce)',
      target: '≥ 2× openssl, p99 < 5 ms',
      measured: `${n2(o.ratioNonce)}×, p99 ${nonce ? n2(nonce.wrk.latencyMs.p99) : '?'} ms`,
      pass: o.ratioNonce >= 2 && !!nonce && nonce.wrk.latencyMs.p99 < 5,
    },
  ];
}

export function formatOcsp(o: OcspPhase): string[] {
  const L: string[] = [];
  L.push(`### OCSP (POST one fixed DER request, wrk -t1 -c8${o.newConnections ? ', a new connection per request (Connection: close)' : ''}; ecert's gateway as ${o.gatewayWorkers} worker process${o.gatewayWorkers === 1 ? '' : 'es'}, GATEWAY_WORKERS=${o.gatewayWorkers})`);
  L.push('');
  L.push('| server | request | successful responses/s | p50 ms | p99 ms | not successful |');
  L.push('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const x of o.runs) {
    L.push(`| ${x.server === 'ecert' ? 'ecert /pki/ocsp' : 'openssl ocsp -multi 2'} | ${x.nonce ? 'with nonce' : 'no nonce'} | ${n0(x.okPerS)} | ${n2(x.wrk.latencyMs.p50)} | ${n2(x.wrk.latencyMs.p99)} | ${x.notOk} |`);
  }
  L.push('');
  L.push(`Ratio ecert / openssl: **${n2(o.ratioNoNonce)}×** without nonce (ecert answers from its gateway cache), **${n2(o.ratioNonce)}×** with a nonce (ecert: status from the gateway's status view, a fresh signature by the gateway's own delegated key each time; openssl signs every response either way).`);
  L.push(`Peer: \`${o.peerCommand}\`, a throwaway P-256 CA with a delegated P-256 responder, index.txt = the ${n0(o.indexEntries)} certificates ecert issued under ecdsa-issuing in this run; ecert answers with a P-256 delegated responder (nonce-less: the cert-service's ecdsa-ocsp; with a nonce: the gateway's own). Request ${o.requestBytes.ecert} B (ecert) / ${o.requestBytes.openssl} B (peer); response ${o.responseBytes.ecert} B / ${o.responseBytes.openssl} B. Sanity: ecert "${o.sanity.ecert}", peer "${o.sanity.openssl}". The peer is started afresh for each run.`);
  for (const x of o.runs) if (x.wrk.cpu) L.push(`CPU during ${x.server} (${x.nonce ? 'nonce' : 'no nonce'}): ${formatCpu(x.wrk.cpu)}.`);
  return L;
}
