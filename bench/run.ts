// Must stay the first import: it gives the bench its own database, NATS prefix and Redis prefix
// before @ecert/contracts reads ECERT_NATS_PREFIX at load time.
import { BENCH_ID, BENCH_NAME, CRL_ENTRIES, DURATION_S, INVALIDATION_ROWS, OCSP_GATEWAY_WORKERS, OCSP_NEW_CONNECTIONS, QUIET_WAIT_S, WARMUP_S } from './env';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { loadConfig, type EcertConfig } from '@ecert/common';
import { checkBackingServices } from '../scripts/backing-services';
import { BenchError, commandExists, type Daemon } from './procs';
import { ensureWrk } from './wrk';
import { createBenchDatabase, dropBenchState, freePort, registerBenchClient, startPlatform, withGatewayWorkers } from './platform';
import { opensslVersion } from './openssl';
import { measureRawSigning } from './raw-sign.bench';
import { runIssuanceBench } from './issuance.bench';
import { runOcspBench } from './ocsp.bench';
import { runCrlBench } from './crl.bench';
import { runSealBench } from './seal.bench';
import { runPdfSealBench } from './pdf-seal.bench';
import { runInvalidationBench } from './invalidation.bench';
import { FOREIGN_LIMIT, formatCpu, waitForQuiet, type CpuUsage } from './cpu';
import { checkTargets, formatReport, writeResults, type BenchResults } from './report';

/**
 * `npm run bench`: one run measures, side by side on this machine,
 *  1. certificate issuance through REST (P-256 and SM2 CSRs) against the raw signing rate,
 *  2. ecert's OCSP responder against `openssl ocsp -multi 2`,
 *  3. a complete CRL with 100,000 revoked entries (CrlGenerator and the pure buildCrl),
 *  4. (in-process, no target) GB/T 38540 seals made and verified per second (bench/seal.bench.ts),
 *  5. (in-process) PDF documents of 1 MB and 50 MB sealed server-side, deferred prepare/embed and
 *     verification, against the SHA-256 rate (bench/pdf-seal.bench.ts),
 *  6. (in-process) the 第二十条 invalid-list run over 10M generated certificates, with ordinary
 *     freezes beside it (bench/invalidation.bench.ts; BENCH_INVALIDATION_ROWS, 0 skips it),
 * prints a table with the targets (PASS/MISS) and writes bench/results/<timestamp>.json and
 * bench/results/latest.json. Everything runs against its own database / NATS prefix / Redis
 * prefix / port, which are removed at the end; every child process is killed however it ends.
 *
 * Knobs: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CRL_ENTRIES
 * (default 100000), BENCH_LOG_LEVEL (default info), BENCH_DATABASE_URL (server to use),
 * BENCH_QUIET_WAIT (s, default 20: how long a measured run waits for other work on the machine to
 * stop), BENCH_WRK (path of wrk).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const distRoot = path.resolve(here, '..');
const benchSourceDir = path.resolve(distRoot, '..', 'bench');
const HARD_LIMIT_MS = 20 * 60_000;

const t0 = Date.now();
const log = (s: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

async function main(): Promise<number> {
  const date = new Date().toISOString();
  const results: BenchResults = {
    meta: {
      date,
      benchId: BENCH_ID,
      host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, openssl: '', platform: `${os.type()} ${os.release()}` },
      loadAverage: { start: os.loadavg() },
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      logLevel: process.env.LOG_LEVEL ?? 'info',
      notes: [],
    },
    targets: [],
    errors: [],
  };

  // --- preconditions: clear messages, non-zero exit
  const wrk = await ensureWrk();
  if (!(await commandExists('openssl'))) throw new BenchError('openssl is not installed; install it with: apt-get install openssl');
  results.meta.host.openssl = await opensslVersion();
  const port = await freePort();
  process.env.GATEWAY_PORT = String(port);
  process.env.ECERT_PUBLIC_URL = `http://127.0.0.1:${port}`;
  const config: EcertConfig = loadConfig(process.env);
  const down = (await checkBackingServices(config)).filter((c) => !c.ok);
  if (down.length) throw new BenchError(down.map((c) => `${c.name} is not reachable (${c.error}); ${c.hint}`).join('\n'));

  const work = mkdtempSync(path.join(os.tmpdir(), 'ecert-bench-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`bench ${BENCH_NAME}: database ${new URL(config.DATABASE_URL).pathname.slice(1)}, NATS prefix ${config.ECERT_NATS_PREFIX}, Redis prefix ${config.ECERT_REDIS_PREFIX}, gateway port ${port}, work dir ${work}`);

  let platform: Daemon | undefined;
  let db: pg.Pool | undefined;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await platform?.stop().catch(() => undefined);
    await db?.end().catch(() => undefined);
    const problems = await dropBenchState(config).catch((e) => [String((e as Error).message)]);
    for (const p of problems) results.errors.push(`cleanup: ${p}`);
    if (!results.errors.some((e) => !e.startsWith('cleanup'))) rmSync(work, { recursive: true, force: true });
    else log(`work dir kept for inspection: ${work}`);
  };
  const onSignal = (sig: string) => {
    log(`${sig}: stopping children and cleaning up`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const hardStop = setTimeout(() => {
    log(`the bench exceeded ${HARD_LIMIT_MS / 60_000} min: aborting`);
    cleanup().finally(() => process.exit(1));
  }, HARD_LIMIT_MS);
  hardStop.unref();

  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    log(`${name} ...`);
    try {
      return await fn();
    } catch (e) {
      const msg = `${name}: ${(e as Error).message}`;
      results.errors.push(msg);
      console.error(`[bench] FAILED ${msg}`);
      return undefined;
    }
  };

  try {
    // 1. raw rates first, on an idle machine (no platform yet)
    results.raw = await phase('raw signing rates', async () => {
      await waitForQuiet(QUIET_WAIT_S);
      return measureRawSigning(log);
    });
    // Seals (libs/ses, in-process, see docs/seals.md): no target, reported beside the rest.
    results.seal = await phase('seals (in-process, libs/ses)', async () => {
      await waitForQuiet(QUIET_WAIT_S);
      return runSealBench({ seconds: 2, log });
    });
    results.pdfSeal = await phase('document sealing (in-process, libs/pdf + libs/cms)', async () => {
      await waitForQuiet(QUIET_WAIT_S);
      return runPdfSealBench({ log });
    });

    log('starting the platform (node dist/scripts/start.js) ...');
    await createBenchDatabase(config);
    platform = await startPlatform(distRoot, config, path.join(work, 'platform.log'));
    log(`ecert is up at ${baseUrl}`);
    db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
    const apiKey = await registerBenchClient(db);
    if (apiKey) results.meta.notes.push('The REST API required a client credential: the bench registered its own client (all operations, rate limit 1,000,000/s) and sends X-Api-Key, so authentication, the rate-limit counter and the audit trail are on the measured issuance path.');

    results.issuance = await phase('issuance through REST', () =>
      runIssuanceBench({ wrk, baseUrl, dir: work, db: db!, durationS: DURATION_S, warmupS: WARMUP_S, connections: 32, quietWaitS: QUIET_WAIT_S, apiKey, log }),
    );
    if (results.issuance) {
      for (const r of results.issuance.results) log(`  ${r.kind}: ${r.certsPerS.toFixed(1)} certs/s, p99 ${r.wrk.latencyMs.p99} ms, non-201 ${r.non201}; ${formatCpu(r.wrk.cpu)}`);
      const sample = results.issuance.sample.p256;
      const running = platform;
      platform = undefined; // stopped, or the same: cleanup must not stop it twice
      platform = await withGatewayWorkers(running, distRoot, config, path.join(work, 'platform-ocsp.log'), OCSP_GATEWAY_WORKERS, log);
      results.ocsp = await phase('OCSP', () =>
        runOcspBench({ wrk, baseUrl, dir: work, db: db!, sample, durationS: DURATION_S, warmupS: Math.min(WARMUP_S, 2), connections: 8, quietWaitS: QUIET_WAIT_S, gatewayWorkers: OCSP_GATEWAY_WORKERS, newConnections: OCSP_NEW_CONNECTIONS, log }),
      );
      if (results.ocsp) for (const r of results.ocsp.runs) log(`  ${r.server} ${r.nonce ? 'nonce' : 'no nonce'}: ${r.okPerS.toFixed(0)}/s, p99 ${r.wrk.latencyMs.p99} ms; ${formatCpu(r.wrk.cpu)}`);
    }

    log('stopping the platform (the CRL benchmark runs in this process) ...');
    await platform?.stop();
    platform = undefined;

    results.crl = await phase(`CRL with ${CRL_ENTRIES} entries`, () => runCrlBench({ quietWaitS: QUIET_WAIT_S, config, db: db!, dir: work, entries: CRL_ENTRIES, repeats: 3, log }));
    if (INVALIDATION_ROWS) {
      results.invalidation = await phase(`第二十条 run over ${INVALIDATION_ROWS} certificates`, () => runInvalidationBench({ config, rows: INVALIDATION_ROWS, quietWaitS: QUIET_WAIT_S, log }));
    }
  } catch (e) {
    results.errors.push((e as Error).message);
    console.error(`[bench] FAILED: ${(e as Error).message}`);
    if (platform) console.error(`--- platform log (last lines) ---\n${platform.logTail(40)}`);
  } finally {
    log('cleaning up (platform, database, JetStream stream, Redis keys) ...');
    await cleanup();
  }

  results.meta.loadAverage.end = os.loadavg();
  results.targets = annotateTargets(results);
  results.meta.notes.push(
    'All of it shares 2 cores: wrk, the four Node services, PostgreSQL, NATS and Redis (and, for the peer, openssl) — the CPU lines show who used them.',
  );
  const noisy = [
    ...(results.issuance?.results.map((x) => x.wrk) ?? []),
    ...(results.ocsp?.runs.map((x) => x.wrk) ?? []),
  ].filter((w) => w.foreignCores >= FOREIGN_LIMIT);
  if (noisy.length) {
    results.meta.notes.push(
      `Other work on this machine used CPU during: ${noisy.map((w) => `${w.label} (${w.foreignCores.toFixed(2)} cores)`).join(', ')} — those figures are lower than an idle machine would give; run again when the machine is quiet.`,
    );
  }
  const report = formatReport(results);
  console.log(`\n${report}\n`);
  const file = writeResults(benchSourceDir, results, report);
  log(`results written to ${path.relative(process.cwd(), file)} and bench/results/latest.json`);
  return results.errors.length ? 1 : 0;
}

/** What a run's CPU figures say limits it: one saturated Node event loop, all cores, or neither. */
function limitFromCpu(cpu: CpuUsage | undefined): string | undefined {
  if (!cpu) return undefined;
  const services = ['gateway', 'cert-service', 'seal-service', 'workflow-service'];
  const [hot, cores] = Object.entries(cpu.coresByComponent)
    .filter(([k]) => services.includes(k))
    .sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const verdict = [
    cpu.machineBusyPct >= 90 ? `both cores are busy (${cpu.machineBusyPct}%)` : undefined,
    cores >= 0.85
      ? `the ${hot} process is saturated (${cores.toFixed(2)} cores: its one event loop, plus GC/libuv threads)`
      : hot
        ? `busiest service: ${hot} at ${cores.toFixed(2)} cores`
        : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  return `${verdict} — ${formatCpu(cpu)}`;
}

/** PASS/MISS plus, for a miss, what the measurements say limits it. */
function annotateTargets(r: BenchResults) {
  const targets = checkTargets(r);
  for (const t of targets) {
    if (t.pass) continue;
    if (t.name.startsWith('Issuance')) {
      t.limitedBy = limitFromCpu(r.issuance?.results.find((x) => x.kind === 'p256')?.wrk.cpu);
    } else if (t.name.startsWith('OCSP')) {
      t.limitedBy = limitFromCpu(r.ocsp?.runs.find((x) => x.server === 'ecert' && !x.nonce)?.wrk.cpu);
    } else if (t.name.startsWith('Full CRL')) {
      const ca = r.crl?.cas.find((c) => t.name.includes(c.caId));
      if (ca) t.limitedBy = `SELECT ${(Math.max(...ca.selectMs) / 1000).toFixed(2)} s, pure build+sign ${(Math.max(...ca.pureBuildMs) / 1000).toFixed(2)} s`;
    }
  }
  return targets;
}

main()
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(`[bench] ${e instanceof BenchError ? '' : 'unexpected error: '}${(e as Error).message}`);
    process.exit(1);
  });
