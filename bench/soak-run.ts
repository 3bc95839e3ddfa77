// Must stay the first import: the bench's own database, NATS prefix and Redis prefix.
import { BENCH_NAME, clampInt } from './env';
import { benchLog, benchSourceDir, standaloneBenchConfig, runStandalone } from './standalone';
import { writeBenchJson } from './report';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { connectNats } from '@ecert/messaging';
import { BenchError, commandExists, sleep, type Daemon } from './procs';
import { createBenchDatabase, dropBenchState, freePort, registerBenchClient, startPlatform } from './platform';
import { cpuSample, cpuUsage, foreignCores, formatCpu } from './cpu';
import { isError, makeSoakFixtures, SOAK_MIX, SoakLoad, type SoakCall } from './soak-load';
import { platformRss, QueueSampler } from './soak-samplers';
import { memoryVerdict, percentile, queueVerdict, trendOf, type MemoryLimits, type Point, type QueueLimits, type Trend, type Verdict } from './soak-criteria';

/**
 * `npm run soak`: the platform (`node dist/scripts/start.js`, its own database, NATS prefix and
 * Redis prefix) under a steady mixed load for SOAK_MINUTES (default 10) at SOAK_RATE operations/s
 * (default 20), sampling every SOAK_SAMPLE_S (default 10) s the RSS of each service and the depth of
 * every queue (JetStream durable consumers, BullMQ queues, unpublished outbox rows). After the load
 * it waits up to SOAK_DRAIN_S (default 60) s for the queues to drain. Fails (exit 1) unless:
 *   - no call got an error answer (any non-2xx, no answer, a wrong 2xx) and none was skipped,
 *   - every service's RSS is flat after the warm-up (SOAK_WARMUP_S, default 20% of the run, at
 *     most 120 s): least-squares slope ≤ SOAK_MAX_SLOPE_MB (MB/min, default 2) and last-quarter
 *     median − first-quarter median ≤ SOAK_MAX_GROWTH_MB (default 20),
 *   - no queue grows (quartile growth ≤ 10 items, slope ≤ 5 items/min) and each ends, drained, at
 *     or below what it held on the idle platform before the load.
 * Prints the tables and writes bench/results/soak-<timestamp>.json and soak-latest.json.
 */
const log = benchLog;

const MINUTES = clampInt(process.env.SOAK_MINUTES, 10, 1, 120);
const RATE = clampInt(process.env.SOAK_RATE, 20, 1, 500);
const SAMPLE_S = clampInt(process.env.SOAK_SAMPLE_S, 10, 1, 60);
const WARMUP_S = clampInt(process.env.SOAK_WARMUP_S, Math.min(120, Math.round(MINUTES * 60 * 0.2)), 0, MINUTES * 60 - 1);
const DRAIN_S = clampInt(process.env.SOAK_DRAIN_S, 60, 5, 600);
const MEMORY: MemoryLimits = {
  maxSlopeMbPerMin: clampInt(process.env.SOAK_MAX_SLOPE_MB, 2, 0, 1000),
  maxGrowthMb: clampInt(process.env.SOAK_MAX_GROWTH_MB, 20, 0, 10_000),
  // A slope over less than 3 minutes says little about a Node service (one GC cycle moves it).
  minSamples: Math.ceil(180 / SAMPLE_S),
};
const QUEUES: QueueLimits = { maxGrowth: 10, maxSlopePerMin: 5 };
/** Services judged for memory; the PostgreSQL figure is shown but shared buffers make it no leak measure. */
const JUDGED = ['gateway', 'cert-service', 'seal-service', 'workflow-service', 'launcher'];

interface OpStats {
  op: string;
  calls: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function opStats(calls: SoakCall[]): OpStats[] {
  const by = new Map<string, SoakCall[]>();
  for (const c of calls) by.set(c.op, [...(by.get(c.op) ?? []), c]);
  return [...by].sort((a, b) => b[1].length - a[1].length).map(([op, cs]) => {
    const ms = cs.map((c) => c.ms);
    return { op, calls: cs.length, ok: cs.filter((c) => !isError(c)).length, errors: cs.filter(isError).length, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: Math.max(...ms) };
  });
}

/** Error answers by operation, method path, status and code (or what was wrong with a 2xx). */
function errorsBy(calls: SoakCall[]): { what: string; n: number; firstAtS: number }[] {
  const by = new Map<string, { n: number; firstAtS: number }>();
  for (const c of calls.filter(isError)) {
    const what = `${c.op}: ${c.method} ${c.path} → ${c.status}${c.code ? ` ${c.code}` : ''}${c.wrong ? ` (${c.wrong})` : ''}`;
    const e = by.get(what) ?? { n: 0, firstAtS: c.t };
    e.n++;
    by.set(what, e);
  }
  return [...by].map(([what, e]) => ({ what, n: e.n, firstAtS: Math.round(e.firstAtS) })).sort((a, b) => b.n - a.n);
}

async function main(): Promise<number> {
  if (!(await commandExists('openssl'))) throw new BenchError('openssl is not installed; install it with: apt-get install openssl');
  const port = await freePort();
  process.env.GATEWAY_PORT = String(port);
  process.env.ECERT_PUBLIC_URL = `http://127.0.0.1:${port}`;
  // Its own metrics port too: another run's platform on this machine may hold the default 9464.
  process.env.METRICS_PORT = String(await freePort());
  const config = await standaloneBenchConfig();
  const baseUrl = `http://127.0.0.1:${port}`;
  const database = new URL(config.DATABASE_URL).pathname.slice(1);
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  const distRoot = path.resolve(benchSourceDir, '..', 'dist');
  log(`soak ${BENCH_NAME}: ${MINUTES} min at ${RATE} operations/s, samples every ${SAMPLE_S} s, warm-up ${WARMUP_S} s; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  await createBenchDatabase(config);
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecert-soak-'));
  let platform: Daemon | undefined;
  let db: pg.Pool | undefined;
  let sampler: QueueSampler | undefined;
  let nc: Awaited<ReturnType<typeof connectNats>> | undefined;
  let cleaned = false;
  let keepWork = true;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    log('cleaning up (platform, database, JetStream stream, Redis keys) ...');
    await sampler?.close();
    await nc?.close().catch(() => undefined);
    await platform?.stop().catch(() => undefined);
    await db?.end().catch(() => undefined);
    for (const p of await dropBenchState(config).catch((e) => [String((e as Error).message)])) console.warn(`cleanup: ${p}`);
    if (keepWork) log(`platform log kept for inspection: ${path.join(work, 'platform.log')}`);
    else rmSync(work, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  const hardStop = setTimeout(() => {
    log('the soak ran far past its length: aborting');
    void cleanup().finally(() => process.exit(1));
  }, (MINUTES * 60 + DRAIN_S + 600) * 1000);
  hardStop.unref();

  try {
    platform = await startPlatform(distRoot, config, path.join(work, 'platform.log'));
    const launcherPid = platform.child.pid!;
    log(`ecert is up at ${baseUrl}`);
    db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
    const apiKey = await registerBenchClient(db);
    const { fixtures, seed } = await makeSoakFixtures(baseUrl, apiKey, work);
    nc = await connectNats(config.NATS_URL, 'soak-sampler', config.NATS_USER ? { user: config.NATS_USER, pass: config.NATS_PASSWORD } : {});
    sampler = new QueueSampler(config, nc, db);
    await sleep(3000);
    const baseline = await sampler.sample();
    const rssAtStart = platformRss(launcherPid, database);

    // --- the load, sampled
    const rss: Record<string, Point[]> = {};
    const queues: Record<string, Point[]> = {};
    const t0 = Date.now();
    let sampling = Promise.resolve();
    // Cores used by work that is not this run's (other sessions' tests on a shared machine), per
    // sample interval: errors that coincide with it are starvation, not the platform's doing.
    const foreign: Point[] = [];
    let lastCpu = cpuSample();
    const takeSample = async () => {
      const t = Math.round((Date.now() - t0) / 100) / 10;
      const nowCpu = cpuSample();
      const u = cpuUsage(lastCpu, nowCpu);
      lastCpu = nowCpu;
      // Busy cores of the machine minus this run's processes: short-lived processes (another
      // session's compiler, its test workers) start and end between two samples, so foreignCores()
      // alone, which sees only processes alive at both, misses most of them.
      if (u && t > 0) {
        const ours = Object.entries(u.coresByComponent).filter(([k]) => !['other node', 'other'].includes(k)).reduce((a, [, v]) => a + v, 0);
        foreign.push({ t, v: Math.max(foreignCores(u), Math.round(((u.machineBusyPct / 100) * os.cpus().length - ours) * 100) / 100) });
      }
      for (const [k, v] of Object.entries(platformRss(launcherPid, database))) (rss[k] ??= []).push({ t, v });
      try {
        for (const [k, v] of Object.entries(await sampler!.sample())) (queues[k] ??= []).push({ t, v });
      } catch (e) {
        log(`queue sample failed: ${(e as Error).message}`);
      }
    };
    await takeSample();
    const timer = setInterval(() => {
      sampling = sampling.then(takeSample);
    }, SAMPLE_S * 1000);
    const cpuA = cpuSample();
    const load = new SoakLoad({ baseUrl, apiKey, ratePerS: RATE, durationS: MINUTES * 60, fixtures, seed });
    let lastLog = 0;
    const result = await load.run((s) => {
      if (s - lastLog < 60) return;
      lastLog = s;
      const errors = load.calls.filter(isError).length;
      const svc = JUDGED.map((k) => `${k} ${rss[k]?.at(-1)?.v ?? '?'}`).join(', ');
      log(`  ${Math.round(s)} s: ${load.calls.length} calls, ${errors} errors; RSS MB ${svc}`);
    });
    const cpu = cpuUsage(cpuA, cpuSample());
    clearInterval(timer);
    await sampling;
    await takeSample();
    if (platform.exited()) throw new BenchError(`the platform exited during the soak; last log lines:\n${platform.logTail(40)}`);

    // --- drain: the queues get DRAIN_S to empty after the load
    const drainStart = Date.now();
    let end = await sampler.sample();
    while (Object.entries(end).some(([k, v]) => v > (baseline[k] ?? 0)) && Date.now() - drainStart < DRAIN_S * 1000) {
      await sleep(2000);
      end = await sampler.sample();
    }
    const drainS = Math.round((Date.now() - drainStart) / 100) / 10;
    const rssAtEnd = platformRss(launcherPid, database);

    // --- verdicts
    const checks: { name: string; target: string; measured: string; pass: boolean }[] = [];
    const errors = errorsBy(result.calls);
    const nErrors = result.calls.filter(isError).length;
    checks.push({ name: 'error answers', target: '0 (any non-2xx, no answer or wrong 2xx)', measured: String(nErrors), pass: nErrors === 0 });
    checks.push({ name: 'operations skipped (too many in flight)', target: '0', measured: String(result.skipped), pass: result.skipped === 0 });
    const memory: Record<string, { startMb: number; endMb: number; trend: Trend; verdict?: Verdict }> = {};
    for (const [k, pts] of Object.entries(rss)) {
      const trend = trendOf(pts, WARMUP_S);
      const judged = JUDGED.includes(k);
      const verdict = judged ? memoryVerdict(trend, MEMORY) : undefined;
      memory[k] = { startMb: rssAtStart[k] ?? pts[0]!.v, endMb: rssAtEnd[k] ?? pts.at(-1)!.v, trend, ...(verdict ? { verdict } : {}) };
      if (verdict) checks.push({ name: `RSS ${k} flat after ${WARMUP_S} s`, target: `slope ≤ ${MEMORY.maxSlopeMbPerMin} MB/min, growth ≤ ${MEMORY.maxGrowthMb} MB`, measured: verdict.why, pass: verdict.pass });
    }
    for (const k of JUDGED) if (!rss[k]) checks.push({ name: `RSS ${k}`, target: 'sampled', measured: 'no process found', pass: false });
    const queueRows: Record<string, { baseline: number; max: number; end: number; trend: Trend; verdict: Verdict }> = {};
    for (const [k, pts] of Object.entries(queues)) {
      const trend = trendOf(pts, WARMUP_S);
      const verdict = queueVerdict(trend, baseline[k] ?? 0, end[k] ?? 0, QUEUES);
      queueRows[k] = { baseline: baseline[k] ?? 0, max: Math.max(...pts.map((p) => p.v)), end: end[k] ?? 0, trend, verdict };
    }
    const badQueues = Object.entries(queueRows).filter(([, q]) => !q.verdict.pass);
    checks.push({
      name: `queues (${Object.keys(queueRows).length} series) not growing, drained`,
      target: `growth ≤ ${QUEUES.maxGrowth}, slope ≤ ${QUEUES.maxSlopePerMin}/min, end ≤ before the load (after ≤ ${DRAIN_S} s)`,
      measured: badQueues.length ? badQueues.map(([k, q]) => `${k}: ${q.verdict.why}`).join('; ') : `all pass; drained in ${drainS} s`,
      pass: badQueues.length === 0,
    });

    const ops = opStats(result.calls);
    const perMinute = Array.from({ length: MINUTES }, (_, m) => {
      const cs = result.calls.filter((c) => c.t >= m * 60 && c.t < (m + 1) * 60);
      const fs = foreign.filter((p) => p.t > m * 60 && p.t <= (m + 1) * 60).map((p) => p.v);
      return {
        minute: m + 1,
        calls: cs.length,
        errors: cs.filter(isError).length,
        p50Ms: percentile(cs.map((c) => c.ms), 50),
        p99Ms: percentile(cs.map((c) => c.ms), 99),
        foreignCores: fs.length ? Math.round((fs.reduce((a, b) => a + b, 0) / fs.length) * 100) / 100 : 0,
      };
    });
    // What an operation costs: the platform's own processes' CPU over the load. PostgreSQL, NATS and
    // Redis serve other runs on a shared machine too, so theirs is an upper bound.
    const sumCores = (names: string[]) => Math.round(names.reduce((a, k) => a + (cpu?.coresByComponent[k] ?? 0), 0) * 100) / 100;
    const servicesCores = sumCores(JUDGED);
    const backingCores = sumCores(['postgres', 'nats-server', 'redis']);
    const startedPerS = result.started / result.durationS;
    const cost = {
      servicesCores,
      backingCoresUpperBound: backingCores,
      cpuMsPerOperation: Math.round(((servicesCores + backingCores) * 1000) / startedPerS * 10) / 10,
      servicesCpuMsPerOperation: Math.round((servicesCores * 1000) / startedPerS * 10) / 10,
    };
    const meta = {
      date,
      benchId: BENCH_NAME,
      host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
      loadAverage: { start: loadStart, end: os.loadavg() },
      minutes: MINUTES,
      ratePerS: RATE,
      achievedPerS: Math.round((result.started / result.durationS) * 10) / 10,
      httpCallsPerS: Math.round((result.calls.length / result.durationS) * 10) / 10,
      sampleS: SAMPLE_S,
      warmupS: WARMUP_S,
      drainS,
      mix: SOAK_MIX,
      substituted: result.substituted,
      limits: { memory: MEMORY, queues: QUEUES },
      cpu,
      cost,
    };
    const f1 = (x: number) => x.toFixed(1);
    const report = [
      `ecert soak — ${date} — ${meta.host.cpus} cores (${meta.host.cpuModel}), Node ${meta.host.node}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} → ${meta.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}`,
      `${MINUTES} min open loop at ${RATE} operations/s (started ${meta.achievedPerS}/s, ${meta.httpCallsPerS} HTTP calls/s); RSS and queues sampled every ${SAMPLE_S} s; trends after a ${WARMUP_S} s warm-up; queues drained in ${drainS} s`,
      `CPU over the load: ${formatCpu(cpu)}`,
      `Cost: the four services and the launcher used ${servicesCores} cores, PostgreSQL+NATS+Redis at most ${backingCores} (shared with other work): ${cost.cpuMsPerOperation} ms of CPU per operation (${cost.servicesCpuMsPerOperation} ms in the services)${(cpu?.machineBusyPct ?? 0) >= 90 ? ' — the machine was saturated, so this is what the platform got, not what it needed' : ''}`,
      '',
      '| operation | calls | ok | errors | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...ops.map((o) => `| ${o.op} | ${o.calls} | ${o.ok} | ${o.errors} | ${o.p50Ms} | ${o.p99Ms} | ${o.maxMs} |`),
      ...(Object.keys(result.substituted).length ? ['', `Operations replaced by a GET of a certificate (no certificate in the state needed): ${JSON.stringify(result.substituted)}`] : []),
      ...(errors.length ? ['', 'Errors:', ...errors.slice(0, 30).map((e) => `- ${e.n}× ${e.what} (first at ${e.firstAtS} s)`)] : []),
      '',
      '| minute | calls | errors | p50 ms | p99 ms | other work on the machine (cores) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...perMinute.map((m) => `| ${m.minute} | ${m.calls} | ${m.errors} | ${m.p50Ms} | ${m.p99Ms} | ${m.foreignCores.toFixed(2)} |`),
      '',
      '| process | RSS at start MB | at end MB | after warm-up: first → last | slope MB/min | quartile growth MB | verdict |',
      '| --- | ---: | ---: | --- | ---: | ---: | --- |',
      ...Object.entries(memory).map(([k, m]) => `| ${k} | ${f1(m.startMb)} | ${f1(m.endMb)} | ${f1(m.trend.first)} → ${f1(m.trend.last)} (${m.trend.n} samples) | ${m.trend.slopePerMin.toFixed(2)} | ${f1(m.trend.quartileGrowth)} | ${m.verdict ? (m.verdict.pass ? 'flat' : 'GROWS') : 'shown only'} |`),
      '',
      '| queue series | before load | max | end (drained) | quartile growth | slope /min | verdict |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...Object.entries(queueRows)
        .filter(([, q]) => q.max > 0 || q.end > 0 || q.baseline > 0 || !q.verdict.pass)
        .map(([k, q]) => `| ${k} | ${q.baseline} | ${q.max} | ${q.end} | ${q.trend.quartileGrowth} | ${q.trend.slopePerMin.toFixed(2)} | ${q.verdict.pass ? 'ok' : 'FAIL'} |`),
      `(${Object.values(queueRows).filter((q) => q.max === 0 && q.end === 0 && q.baseline === 0 && q.verdict.pass).length} more series were 0 in every sample)`,
      '',
      '| criterion | target | measured | result |',
      '| --- | --- | --- | --- |',
      ...checks.map((c) => `| ${c.name} | ${c.target} | ${c.measured} | ${c.pass ? 'PASS' : 'FAIL'} |`),
    ].join('\n');
    console.log(`\n${report}\n`);
    const statuses: Record<string, number> = {};
    for (const c of result.calls) statuses[`${c.status}${c.code ? ` ${c.code}` : ''}`] = (statuses[`${c.status}${c.code ? ` ${c.code}` : ''}`] ?? 0) + 1;
    const file = writeBenchJson(benchSourceDir, 'soak-', date, { meta, checks, operations: ops, perMinute, statuses, errors, memory, rss, queues: queueRows, queueSamples: queues, report });
    log(`results written to ${path.relative(process.cwd(), file)}`);
    keepWork = !checks.every((c) => c.pass);
    return keepWork ? 1 : 0;
  } catch (e) {
    if (platform) console.error(`--- platform log (last lines) ---\n${platform.logTail(40)}`);
    throw e;
  } finally {
    await cleanup();
  }
}

runStandalone(main, 'soak');
