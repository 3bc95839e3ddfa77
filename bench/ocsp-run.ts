// Must stay the first import: the bench's own database, NATS prefix and Redis prefix.
import { BENCH_NAME, DURATION_S, OCSP_GATEWAY_WORKERS, OCSP_NEW_CONNECTIONS, QUIET_WAIT_S, WARMUP_S } from './env';
import { benchLog, benchSourceDir, standaloneBenchConfig, runStandalone, standaloneCleanup, type StandaloneState } from './standalone';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import pg from 'pg';
import { BenchError, commandExists } from './procs';
import { ensureWrk } from './wrk';
import { createBenchDatabase, freePort, registerBenchClient, startPlatform, withGatewayWorkers } from './platform';
import { runIssuanceBench } from './issuance.bench';
import { formatOcsp, ocspTargets, runOcspBench } from './ocsp.bench';
import { writeBenchJson } from './report';

/**
 * `npm run bench:ocsp`: the issuance and OCSP phases of `npm run bench` alone (issuance first, as
 * there: it fills the peer's index.txt and gives the sample certificate). Prints the OCSP table
 * and targets and writes bench/results/ocsp-<timestamp>.json and ocsp-latest.json.
 */
const log = benchLog;
const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  if (!(await commandExists('openssl'))) throw new BenchError('openssl is not installed; install it with: apt-get install openssl');
  const wrk = await ensureWrk();
  const port = await freePort();
  process.env.GATEWAY_PORT = String(port);
  process.env.ECERT_PUBLIC_URL = `http://127.0.0.1:${port}`;
  const config = await standaloneBenchConfig();
  const baseUrl = `http://127.0.0.1:${port}`;
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  log(`bench ${BENCH_NAME}: OCSP; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecert-bench-ocsp-'));
  const state: StandaloneState = {};
  const cleanup = standaloneCleanup(config, work, state);
  try {
    await createBenchDatabase(config);
    state.platform = await startPlatform(distRoot, config, path.join(work, 'platform.log'));
    const db = (state.db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 }));
    const apiKey = await registerBenchClient(db);
    const issuance = await runIssuanceBench({ wrk, baseUrl, dir: work, db, durationS: DURATION_S, warmupS: WARMUP_S, connections: 32, quietWaitS: QUIET_WAIT_S, apiKey, log });
    const running = state.platform;
    state.platform = undefined; // stopped, or the same: cleanup must not stop it twice
    state.platform = await withGatewayWorkers(running, distRoot, config, path.join(work, 'platform-ocsp.log'), OCSP_GATEWAY_WORKERS, log);
    const result = await runOcspBench({ wrk, baseUrl, dir: work, db, sample: issuance.sample.p256, durationS: DURATION_S, warmupS: Math.min(WARMUP_S, 2), connections: 8, quietWaitS: QUIET_WAIT_S, gatewayWorkers: OCSP_GATEWAY_WORKERS, newConnections: OCSP_NEW_CONNECTIONS, log });
    const targets = ocspTargets(result);
    const meta = { date, host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version }, loadAverage: { start: loadStart, end: os.loadavg() } };
    const report = [
      `ecert benchmark — ${date} — ${meta.host.cpus} cores (${meta.host.cpuModel}), Node ${meta.host.node}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} → ${meta.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}`,
      '',
      ...formatOcsp(result),
      '',
      '| target | goal | measured | result |',
      '| --- | --- | --- | --- |',
      ...targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.pass ? 'PASS' : 'MISS'} |`),
    ].join('\n');
    console.log(`\n${report}\n`);
    const file = writeBenchJson(benchSourceDir, 'ocsp-', date, { meta, ocsp: result, targets, report });
    log(`results written to ${path.relative(process.cwd(), file)}`);
    return targets.every((t) => t.pass) ? 0 : 1;
  } catch (e) {
    if (state.platform) console.error(`--- platform log (last lines) ---\n${state.platform.logTail(40)}`);
    throw e;
  } finally {
    await cleanup();
  }
}

runStandalone(main);
