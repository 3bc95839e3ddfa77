import type pg from 'pg';
import { startTestPlatform, type PlatformOptions, type TestPlatform } from '../../support/test-platform';
import { TempDir } from '../../support/fixtures';
import { PrivateNats, PrivateRedis } from './private-servers';
import { check, printReport, type CheckOptions, type Report } from './checker';
import { Load, makeCsrs, retryCalls, type Call, type LoadOptions } from './load';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What runFault loads and checks: the gateways the clients spread over, the database, the NATS server(s) of the stream. */
export interface FaultTarget {
  baseUrls: string[];
  db: pg.Pool;
  /** One server, or a cluster's nodes comma-separated. */
  natsUrl: string;
  dir: TempDir;
}

export interface FaultPlatform extends FaultTarget {
  p: TestPlatform;
  nats: PrivateNats;
  redis: PrivateRedis;
  dir: TempDir;
  close(): Promise<void>;
}

/**
 * The real platform on backing servers of the suite's own: a nats-server -js and a redis-server
 * on free ports (killed and restarted by the scenarios) and the file's own database on the
 * machine's PostgreSQL (never stopped: a scenario cuts the database's connections instead).
 */
export async function startFaultPlatform(opts: PlatformOptions = {}): Promise<FaultPlatform> {
  const nats = new PrivateNats();
  const redis = new PrivateRedis();
  await nats.start();
  await redis.start();
  // The services log every refused call at error level during a fault: thousands of lines that
  // say what the report says. FAULT_LOG_LEVEL=warn brings them back.
  const p = await startTestPlatform({ ...opts, env: { NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'fatal', ...opts.env } });
  const dir = new TempDir();
  return {
    p,
    nats,
    redis,
    dir,
    baseUrls: [p.baseUrl],
    db: p.db,
    natsUrl: nats.url,
    async close() {
      if (!nats.running) await nats.start().catch(() => undefined);
      if (!redis.running) await redis.start().catch(() => undefined);
      await p.close();
      await nats.remove();
      await redis.remove();
      dir.remove();
    },
  };
}

/** Time from the end of a fault to the first acknowledged call sent after it. */
export function recoveredAfter(calls: Call[], faultEnd: number): number | undefined {
  const after = calls.filter((c) => c.startedAt >= faultEnd && c.status >= 200 && c.status < 300).map((c) => c.startedAt + c.ms - faultEnd);
  return after.length ? Math.min(...after) : undefined;
}

export interface FaultRun {
  report: Report;
  /** The load's calls, then the retries (`retryOf` set). */
  calls: Call[];
  /** Calls sent while the fault lasted. */
  during: Call[];
}

/** What drives the calls of a scenario: the mixed Load, or a scenario's own (application sagas). */
export interface CallDriver {
  start(): unknown;
  /** Ends the calls (after those in flight) and returns every call made. */
  stop(): Promise<Call[]>;
}

/**
 * Mixed load (or `driver`) for `beforeMs`, then `fault()` (which returns when the fault is over),
 * then load for `afterMs`; then the check of everything acknowledged against what is stored and
 * published, with the scenario's own checks (`check`) added to the report before it is printed.
 */
export async function runFault<D extends CallDriver = Load>(
  f: FaultTarget,
  scenario: string,
  fault: (load: D) => Promise<void>,
  opts: {
    beforeMs?: number;
    afterMs?: number;
    load?: Partial<LoadOptions>;
    csrs?: number;
    retryAll?: boolean;
    /** Where the retries go (default the first gateway): one that survived the fault. */
    retryBase?: string;
    /** The calls to send again with their Idempotency-Key (default: those without a clear answer; all with retryAll). */
    retry?: (c: Call) => boolean;
    driver?: D;
    /** How the checker judges calls (a killed gateway's cut-off calls). */
    checkOptions?: Pick<CheckOptions, 'cutOff'>;
    /** The scenario's own checks, added to the report before it is printed. */
    check?: (report: Report, calls: Call[]) => Promise<void>;
  } = {},
): Promise<FaultRun> {
  const driver = opts.driver ?? (new Load({ base: f.baseUrls, clients: 8, csrs: await makeCsrs(f.dir, opts.csrs ?? 200), ...opts.load }) as unknown as D);
  driver.start();
  await sleep(opts.beforeMs ?? 4000);
  const faultStart = Date.now();
  await fault(driver);
  const faultEnd = Date.now();
  await sleep(opts.afterMs ?? 8000);
  const calls = await driver.stop();
  // Every call without a clear answer is retried with its Idempotency-Key (every call, with retryAll).
  const retried = await retryCalls(opts.retryBase ?? f.baseUrls[0], calls, opts.retry ?? ((c) => opts.retryAll || c.status >= 500 || c.status === 0));
  const report = await check(scenario, [...calls, ...retried], f.db, f.natsUrl, opts.checkOptions);
  await opts.check?.(report, [...calls, ...retried]);
  report.recoveredMs = recoveredAfter(calls, faultEnd);
  printReport(report);
  return { report, calls: [...calls, ...retried], during: calls.filter((c) => c.startedAt >= faultStart && c.startedAt < faultEnd) };
}
