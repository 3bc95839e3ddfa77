import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { RawSignResults } from './raw-sign.bench';
import type { IssuancePhase } from './issuance.bench';
import { formatOcsp, ocspTargets, type OcspPhase } from './ocsp.bench';
import { crlTargetMs, formatCrl, type CrlPhase } from './crl.bench';
import { formatCpu } from './cpu';
import type { SealBenchResults } from './seal.bench';
import type { PdfSealBenchResults } from './pdf-seal.bench';
import { formatInvalidation, type InvalidationBenchResult } from './invalidation.bench';

export interface BenchMeta {
  date: string;
  benchId: string;
  host: { cpus: number; cpuModel: string; node: string; openssl: string; platform: string };
  loadAverage: { start: number[]; end?: number[] };
  durationS: number;
  warmupS: number;
  logLevel: string;
  notes: string[];
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
  limitedBy?: string;
}

export interface BenchResults {
  meta: BenchMeta;
  raw?: RawSignResults;
  issuance?: IssuancePhase;
  ocsp?: OcspPhase;
  crl?: CrlPhase;
  seal?: SealBenchResults;
  pdfSeal?: PdfSealBenchResults;
  invalidation?: InvalidationBenchResult;
  targets: TargetCheck[];
  errors: string[];
}

const n0 = (x: number) => Math.round(x).toLocaleString('en');
const n2 = (x: number) => (Math.round(x * 100) / 100).toFixed(2);
const s2 = (ms: number) => (ms / 1000).toFixed(2);

/** Speed targets live here, and only here. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  const p256 = r.issuance?.results.find((x) => x.kind === 'p256');
  if (p256) {
    const pass = p256.certsPerS >= 200 && p256.wrk.latencyMs.p99 < 100;
    out.push({
      name: 'Issuance P-256 (REST, 32 connections)',
      target: '≥ 200 certs/s and p99 < 100 ms',
      measured: `${n0(p256.certsPerS)} certs/s, p99 ${n2(p256.wrk.latencyMs.p99)} ms`,
      pass,
    });
  }
  if (r.ocsp) out.push(...ocspTargets(r.ocsp));
  if (r.crl) {
    for (const ca of r.crl.cas) {
      const worst = Math.max(...ca.generateMs);
      out.push({
        name: `Full CRL, ${n0(ca.entries)} entries, ${ca.caId} (CrlGenerator, slowest run)`,
        target: `< ${crlTargetMs(ca.entries) / 1000} s`,
        measured: `${s2(worst)} s`,
        pass: worst < crlTargetMs(ca.entries),
      });
    }
  }
  if (r.pdfSeal) {
    for (const f of r.pdfSeal.files) {
      const mb = f.bytes / 1048576;
      const limit = mb <= 1 ? 20 : 150;
      out.push({ name: `PDF sealed server-side, ${n0(mb)} MB (P-256, PAdES B-B)`, target: `≤ ${limit} ms`, measured: `${f.serverSideMs.toFixed(1)} ms`, pass: f.serverSideMs <= limit });
      // The memory target is the 50 MB one's (issue 11 §6): at 1 MB the fixed costs (the seal picture, the certificate) dominate.
      if (mb >= 10) out.push({ name: `Peak memory sealing ${n0(mb)} MB`, target: '< 2× the file', measured: `+${n0(f.serverSidePeakBytes / 1048576)} MB`, pass: f.serverSidePeakBytes < 2 * f.bytes });
    }
  }
  if (r.invalidation) {
    const inv = r.invalidation;
    out.push({ name: `第二十条 run: ${n0(inv.rows)} scanned, ${n0(inv.due)} due flagged`, target: '< 60 s', measured: `${s2(inv.realRun.ms)} s`, pass: inv.realRun.ms < 60_000 });
  }
  return out;
}

export function formatReport(r: BenchResults): string {
  const L: string[] = [];
  const m = r.meta;
  L.push(`ecert benchmark — ${m.date} — ${m.host.cpus} cores (${m.host.cpuModel}), Node ${m.host.node}, ${m.host.openssl}`);
  L.push(`load average at start ${m.loadAverage.start.map((x) => x.toFixed(2)).join(' ')}${m.loadAverage.end ? `, at end ${m.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}` : ''}; wrk runs ${m.durationS} s after ${m.warmupS} s warm-up; LOG_LEVEL=${m.logLevel}`);
  L.push('');

  if (r.issuance && r.raw) {
    const raw = r.raw;
    L.push('### Issuance through REST (POST /api/v1/certificates, wrk -t1 -c32)');
    L.push('');
    L.push('| CSR key | certs/s (201 only) | p50 ms | p99 ms | non-201 | DB rows added | raw signing rate, same machine | ratio |');
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
    for (const x of r.issuance.results) {
      const ref =
        x.kind === 'p256'
          ? { text: `openssl speed ecdsap256: ${n0(raw.openssl.ecdsap256.signPerS)} sign/s`, rate: raw.openssl.ecdsap256.signPerS }
          : { text: `ecert Sm2PrivateKey.sign in-process: ${n0(raw.node.sm2SignPerS)} sign/s`, rate: raw.node.sm2SignPerS };
      L.push(`| ${x.kind === 'p256' ? 'P-256' : 'SM2'} | ${n0(x.certsPerS)} | ${n2(x.wrk.latencyMs.p50)} | ${n2(x.wrk.latencyMs.p99)} | ${x.non201}${x.wrk.errors.timeout ? ` (+${x.wrk.errors.timeout} timeouts)` : ''} | ${n0(x.dbRowsAdded)} | ${ref.text} | ${(x.certsPerS / ref.rate).toFixed(3)} |`);
    }
    L.push('');
    L.push(`Further references: openssl speed sm2 ${n0(raw.openssl.sm2.signPerS)} sign/s (SM2 ratio vs it ${(r.issuance.results.find((x) => x.kind === 'sm2')!.certsPerS / raw.openssl.sm2.signPerS).toFixed(3)}); ` +
      `Node crypto.sign P-256 in-process ${n0(raw.node.p256SignSyncPerS)}/s sync, ${n0(raw.node.p256SignAsyncPerS)}/s callback form (32 in flight, libuv pool); ` +
      `ecert sm2Verify ${n0(raw.node.sm2VerifyPerS)}/s (every SM2 CSR is verified once); SM2 k·G native: ${raw.node.sm2NativePointMultiply}.`);
    L.push(`CSRs: ${r.issuance.csrNote}.`);
    for (const x of r.issuance.results) if (x.wrk.cpu) L.push(`CPU during ${x.kind === 'p256' ? 'P-256' : 'SM2'} issuance: ${formatCpu(x.wrk.cpu)}.`);
    L.push('');
  }

  if (r.ocsp) L.push(...formatOcsp(r.ocsp), '');

  if (r.crl) L.push(...formatCrl(r.crl));

  if (r.pdfSeal) {
    const x = r.pdfSeal;
    L.push('### Document sealing (libs/pdf + libs/cms, in-process, no NATS or database)');
    L.push('');
    L.push('| file | server-side | peak memory | deferred prepare | deferred embed | verify | ÷ SHA-256 time |');
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const f of x.files) {
      L.push(`| ${n0(f.bytes / 1048576)} MB | ${f.serverSideMs.toFixed(1)} ms | +${n0(f.serverSidePeakBytes / 1048576)} MB | ${f.deferredPrepareMs.toFixed(1)} ms | ${f.deferredEmbedMs.toFixed(1)} ms | ${f.verifyMs.toFixed(1)} ms | ${n2(f.overHash)} |`);
    }
    L.push('');
    L.push(`SHA-256 on this machine: ${n0(x.sha256MBPerS)} MB/s (the floor: a sealing hashes the file once). Median of ${x.runs} runs.`);
    L.push('');
  }

  if (r.seal) {
    const x = r.seal;
    L.push('### Electronic seals (GB/T 38540, libs/ses, in-process, no NATS or database)');
    L.push('');
    L.push('| operation | per second | raw SM2 reference (same library) | efficiency |');
    L.push('| --- | ---: | --- | ---: |');
    L.push(`| make (buildSealV4: sign + self-check) | ${n0(x.sealsMadePerS)} | sign ${n0(x.sm2SignPerS)}/s, verify ${n0(x.sm2VerifyPerS)}/s | ${n2(x.efficiency.make)} |`);
    L.push(`| verify with chain (3 SM2 verifications) | ${n0(x.sealsVerifiedPerS)} | verify ${n0(x.sm2VerifyPerS)}/s ÷ 3 | ${n2(x.efficiency.verify)} |`);
    L.push(`| verify, signature only | ${n0(x.sealsVerifiedSignatureOnlyPerS)} | verify ${n0(x.sm2VerifyPerS)}/s | ${n2(x.efficiency.verifySignatureOnly)} |`);
    L.push('');
    L.push(`Seal ${n0(x.seal.bytes)} B with a ${x.seal.pictureWidthPx}×${x.seal.pictureHeightPx} px picture (${n0(x.seal.pictureBytes)} B); ${x.seconds} s per rate; SM2 k·G native: ${x.sm2NativePointMultiply}.`);
    L.push('');
  }

  if (r.invalidation) L.push(...formatInvalidation(r.invalidation));

  L.push('### Targets');
  L.push('');
  L.push('| target | goal | measured | result |');
  L.push('| --- | --- | --- | --- |');
  for (const t of r.targets) L.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.pass ? 'PASS' : 'MISS'}${t.limitedBy ? ` — ${t.limitedBy}` : ''} |`);
  if (r.errors.length) {
    L.push('');
    L.push('Errors:');
    for (const e of r.errors) L.push(`- ${e}`);
  }
  for (const note of m.notes) L.push(`- ${note}`);
  return L.join('\n');
}

export function writeResults(benchDir: string, r: BenchResults, report: string): string {
  return writeBenchJson(benchDir, '', r.meta.date, { ...r, report });
}

/** A run's JSON under bench/results/: `<prefix><date>.json`, and `<prefix>latest.json` the newest. */
export function writeBenchJson(benchDir: string, prefix: string, date: string, payload: unknown): string {
  const dir = path.join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${prefix}${date.replace(/[:.]/g, '-')}.json`);
  const json = JSON.stringify(payload, null, 2) + '\n';
  writeFileSync(file, json);
  writeFileSync(path.join(dir, `${prefix}latest.json`), json);
  return file;
}
