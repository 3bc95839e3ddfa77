// Must stay the first import: the bench's own database, NATS prefix and Redis prefix.
import { BENCH_NAME, QUIET_WAIT_S } from './env';
import { benchLog, benchSourceDir, standaloneBenchConfig, runStandalone } from './standalone';
import { writeBenchJson } from './report';
import os from 'node:os';
import path from 'node:path';
import { createBenchDatabase, dropBenchState } from './platform';
import { formatInvalidation, runInvalidationBench } from './invalidation.bench';

/**
 * `npm run bench:invalidation`: the 第二十条 run over generated certificates alone (also a phase of
 * `npm run bench`). BENCH_INVALIDATION_ROWS (default 10,000,000), BENCH_DRAIN_LIMIT (s, default 600).
 * Prints the table and writes bench/results/invalidation-<timestamp>.json and invalidation-latest.json.
 */
const log = benchLog;

async function main(): Promise<number> {
  const config = await standaloneBenchConfig();
  const rows = Number.parseInt(process.env.BENCH_INVALIDATION_ROWS ?? '10000000', 10);
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  log(`bench ${BENCH_NAME}: ${rows.toLocaleString('en')} certificates`);
  await createBenchDatabase(config);
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    log('cleaning up (database, JetStream stream, Redis keys) ...');
    for (const p of await dropBenchState(config).catch((e) => [String((e as Error).message)])) console.warn(`cleanup: ${p}`);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  try {
    const result = await runInvalidationBench({ config, rows, quietWaitS: QUIET_WAIT_S, log, drainLimitS: Number.parseInt(process.env.BENCH_DRAIN_LIMIT ?? '600', 10) });
    const meta = { date, host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version }, loadAverage: { start: loadStart, end: os.loadavg() } };
    const report = [
      `ecert benchmark — ${date} — ${meta.host.cpus} cores (${meta.host.cpuModel}), Node ${meta.host.node}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} → ${meta.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}`,
      '',
      ...formatInvalidation(result),
      `| target | goal | measured | result |`,
      `| --- | --- | --- | --- |`,
      `| ${rows.toLocaleString('en')} scanned and the due ones flagged | < 60 s | ${(result.realRun.ms / 1000).toFixed(2)} s | ${result.realRun.ms < 60_000 ? 'PASS' : 'MISS'} |`,
    ].join('\n');
    console.log(`\n${report}\n`);
    const file = writeBenchJson(benchSourceDir, 'invalidation-', date, { meta, invalidation: result, report });
    log(`results written to ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    await cleanup();
  }
}

runStandalone(main);
