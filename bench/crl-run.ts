// Must stay the first import: the bench's own database, NATS prefix and Redis prefix.
import { BENCH_NAME, clampInt, QUIET_WAIT_S } from './env';
import { benchLog, benchSourceDir, standaloneBenchConfig, runStandalone } from './standalone';
import { writeBenchJson } from './report';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { BenchError, commandExists } from './procs';
import { createBenchDatabase, dropBenchState } from './platform';
import { crlTargetMs, formatCrl, runCrlBench } from './crl.bench';

/**
 * `npm run bench:crl`: the complete-CRL phase of `npm run bench` alone, at scale (issue 13):
 * BENCH_CRL_ENTRIES revoked rows per issuing CA (default 1,000,000 here), BENCH_CRL_REPEATS
 * generate calls per CA (default 2). Prints the table and writes bench/results/crl-<timestamp>.json
 * and crl-latest.json. Its own database and Redis prefix, removed at the end.
 */
const log = benchLog;

async function main(): Promise<number> {
  if (!(await commandExists('openssl'))) throw new BenchError('openssl is not installed; install it with: apt-get install openssl');
  const config = await standaloneBenchConfig();
  const entries = clampInt(process.env.BENCH_CRL_ENTRIES, 1_000_000, 1, 2_000_000);
  const repeats = clampInt(process.env.BENCH_CRL_REPEATS, 2, 1, 5);
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  log(`bench ${BENCH_NAME}: complete CRLs of ${entries.toLocaleString('en')} entries, ${repeats} builds per CA; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  await createBenchDatabase(config);
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecert-bench-crl-'));
  const db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    log('cleaning up (database, Redis keys) ...');
    await db.end().catch(() => undefined);
    for (const p of await dropBenchState(config).catch((e) => [String((e as Error).message)])) console.warn(`cleanup: ${p}`);
    rmSync(work, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  try {
    const result = await runCrlBench({ quietWaitS: QUIET_WAIT_S, config, db, dir: work, entries, repeats, log });
    const meta = {
      date,
      host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
      loadAverage: { start: loadStart, end: os.loadavg() },
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    const target = crlTargetMs(entries);
    const report = [
      `ecert benchmark — ${date} — ${meta.host.cpus} cores (${meta.host.cpuModel}), Node ${meta.host.node}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} → ${meta.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}; bench process max RSS ${meta.maxRssMb} MB`,
      '',
      ...formatCrl(result),
      '| target | goal | measured (slowest run) | result |',
      '| --- | --- | --- | --- |',
      ...result.cas.map((ca) => {
        const worst = Math.max(...ca.generateMs);
        return `| Full CRL, ${ca.entries.toLocaleString('en')} entries, ${ca.caId} | < ${target / 1000} s | ${(worst / 1000).toFixed(2)} s | ${worst < target ? 'PASS' : 'MISS'} |`;
      }),
    ].join('\n');
    console.log(`\n${report}\n`);
    const file = writeBenchJson(benchSourceDir, 'crl-', date, { meta, crl: result, report });
    log(`results written to ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    await cleanup();
  }
}


runStandalone(main);
