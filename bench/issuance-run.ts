// Must stay the first import: the bench's own database, NATS prefix and Redis prefix.
import { BENCH_NAME, DURATION_S, QUIET_WAIT_S, WARMUP_S } from './env';
import { benchLog, benchSourceDir, standaloneBenchConfig, runStandalone, standaloneCleanup, type StandaloneState } from './standalone';
import { writeBenchJson } from './report';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import pg from 'pg';
import { createBenchDatabase, freePort, registerBenchClient, startPlatform } from './platform';
import { ensureWrk } from './wrk';
import { formatCpu } from './cpu';
import { CPU_PROFILE_DIR, summariseCpuProfiles } from './cpu-profile';
import { runIssuanceBench, type IssuanceResult } from './issuance.bench';

/**
 * `npm run bench:issuance`: the issuance-through-REST phase of `npm run bench` alone (P-256 and
 * SM2, wrk -t1 -c32), with the CPU milliseconds each process spent per created certificate.
 * BENCH_DURATION, BENCH_WARMUP, BENCH_QUIET_WAIT as for `npm run bench`. BENCH_CPU_PROFILE=<dir>
 * also takes a V8 CPU profile of every process during each measured run (bench/cpu-profile.ts) and
 * prints the busiest code of each.
 * Writes bench/results/issuance-<timestamp>.json and issuance-latest.json.
 */
const log = benchLog;

/** CPU ms per created certificate by process: cores × 1000 / (certificates per second). */
export function cpuMsPerCertificate(r: IssuanceResult): Record<string, number> {
  const cores = r.wrk.cpu?.coresByComponent ?? {};
  if (!r.certsPerS) return {};
  return Object.fromEntries(Object.entries(cores).map(([k, v]) => [k, Math.round((v * 1000 * 10) / r.certsPerS) / 10]));
}

async function main(): Promise<number> {
  const wrk = await ensureWrk();
  const port = await freePort();
  process.env.GATEWAY_PORT = String(port);
  process.env.ECERT_PUBLIC_URL = `http://127.0.0.1:${port}`;
  const config = await standaloneBenchConfig();
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecert-bench-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`bench ${BENCH_NAME}: issuance through REST, gateway port ${port}`);
  const state: StandaloneState = {};
  const cleanup = standaloneCleanup(config, work, state);
  try {
    await createBenchDatabase(config);
    const platform = (state.platform = await startPlatform(path.resolve(benchSourceDir, '..', 'dist'), config, path.join(work, 'platform.log')));
    const db = (state.db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 }));
    const apiKey = await registerBenchClient(db);
    const phase = await runIssuanceBench({ wrk, baseUrl, dir: work, db, durationS: DURATION_S, warmupS: WARMUP_S, connections: 32, quietWaitS: QUIET_WAIT_S, apiKey, log });
    const lines = [
      `ecert issuance bench — ${date} — ${os.cpus().length} cores, Node ${process.version}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} → ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      '',
      '| CSR key | certs/s | p50 ms | p99 ms | non-201 | foreign cores | CPU ms per certificate |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...phase.results.map((r) => {
        const perCert = Object.entries(cpuMsPerCertificate(r)).map(([k, v]) => `${k} ${v}`).join(', ');
        return `| ${r.kind} | ${r.certsPerS.toFixed(1)} | ${r.wrk.latencyMs.p50} | ${r.wrk.latencyMs.p99} | ${r.non201} | ${r.wrk.foreignCores} | ${perCert} |`;
      }),
      '',
      ...phase.results.map((r) => `${r.kind}: ${formatCpu(r.wrk.cpu)}`),
      ...phase.results.flatMap((r) => {
        const profiles = summariseCpuProfiles(`issuance-${r.kind}`);
        return profiles.length ? ['', `CPU profiles of the ${r.kind} run (each process's busy time by the package or ecert code that spent it, Node's own and native work charged to its caller, garbage collection on its own; files in ${CPU_PROFILE_DIR}):`, ...profiles] : [];
      }),
    ];
    console.log(`\n${lines.join('\n')}\n`);
    const file = writeBenchJson(benchSourceDir, 'issuance-', date, { date, results: phase.results.map((r) => ({ ...r, cpuMsPerCertificate: cpuMsPerCertificate(r) })), report: lines.join('\n') });
    log(`results written to ${path.relative(process.cwd(), file)}`);
    return 0;
  } catch (e) {
    if (state.platform) console.error(`--- platform log (last lines) ---\n${state.platform.logTail(40)}`);
    throw e;
  } finally {
    await cleanup();
  }
}

runStandalone(main);
