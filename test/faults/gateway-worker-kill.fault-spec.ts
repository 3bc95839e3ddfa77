import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { api, defaultHeaders, waitFor } from '../support/http';
import { opensslAsync, opensslCsr, TempDir, makeUscc } from '../support/fixtures';
import { PrivateNats, PrivateRedis } from './support/private-servers';
import { buildPlatform, ChildService } from './support/child-service';
import { recoveredAfter, runFault, sleep } from './support/fault-platform';
import { refused, type Call } from './support/load';
import { registerHarnessClient } from './support/harness-client';

/**
 * The gateway as two HTTP workers on one port (GATEWAY_WORKERS=2: an OS process built as
 * `npm start` runs it; the other services in this process). Both workers serve, each signing
 * OCSP answers with its own delegated responder, and /metrics shows both whichever answers.
 * Under mixed load one worker is killed with SIGKILL: the other serves on the same port at once,
 * the primary starts a replacement, and every acknowledged change is there exactly once.
 */
let build: Awaited<ReturnType<typeof buildPlatform>> | undefined;
let nats: PrivateNats | undefined;
let redis: PrivateRedis | undefined;
let p: TestPlatform | undefined;
let gateway: ChildService | undefined;
const dir = new TempDir();
let logPath = '';
let metricsUrl = '';

beforeAll(async () => {
  build = await buildPlatform();
  nats = new PrivateNats();
  redis = new PrivateRedis();
  await nats.start();
  await redis.start();
  const env = { NATS_URL: nats.url, REDIS_URL: redis.url };
  p = await startTestPlatform({ services: ['cert', 'seal', 'workflow'], env: { ...env, LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'fatal' } });
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  logPath = path.join(dir.path, 'gateway.log');
  gateway = new ChildService(
    build.dist,
    'gateway',
    { ...env, GATEWAY_PORT: String(p.config.GATEWAY_PORT), ECERT_PUBLIC_URL: p.baseUrl, GATEWAY_WORKERS: '2', METRICS_PORT: String(metricsPort), METRICS_CACHE_MS: '0', METRICS_GATHER_MS: '300', ECERT_AUDIT_CHECKPOINT_DIR: dir.file('audit-checkpoints') },
    logPath,
  );
  await gateway.start(); // returns once the primary says every worker listens
  await registerHarnessClient(p.config.DATABASE_URL);
}, 300_000);

afterAll(async () => {
  delete defaultHeaders['x-api-key'];
  await gateway?.stop();
  await p?.close();
  await nats?.remove();
  await redis?.remove();
  dir.remove();
  build?.remove();
}, 120_000);

/** The pids the primary reported in its JSON log lines: the first set, and every replacement's. */
function workerPids(): { first: number[]; replaced: number[] } {
  const lines = readFileSync(logPath, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; pids?: number[]; pid?: number });
  return {
    first: lines.find((l) => l.msg?.startsWith('gateway listening on'))?.pids ?? [],
    replaced: lines.filter((l) => l.msg === 'gateway worker replaced').map((l) => l.pid!),
  };
}

/**
 * One scrape: the `instance` of each gateway process (a series every process has of its own), the
 * scrape's count of gateway workers, and the `instance` that count is reported under (the pool's).
 */
async function scrapeGateways(): Promise<{ instances: Set<string>; counted: number; poolInstance: string }> {
  const text = await (await fetch(metricsUrl)).text();
  const instances = new Set([...text.matchAll(/^process_cpu_user_seconds_total\{service="gateway",instance="([^"]+)"\}/gm)].map((m) => m[1]!));
  const count = /^ecert_scrape_instances\{target="gateway",service="gateway",instance="([^"]+)"\} (\d+)$/m.exec(text);
  return { instances, counted: Number(count?.[2] ?? -1), poolInstance: count?.[1] ?? '' };
}

/** The responder key hashes of nonce answers over fresh connections (openssl opens one per request). */
async function responderIds(c: { issuing: string; leaf: string }, n: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < n; i++) {
    const { out } = await opensslAsync(['ocsp', '-issuer', c.issuing, '-cert', c.leaf, '-url', `${p!.baseUrl}/pki/ocsp`, '-noverify', '-resp_text']);
    expect(out).toMatch(/: good/);
    const id = /Responder Id: (.+)/.exec(out)?.[1]?.trim();
    if (id) ids.add(id);
  }
  return ids;
}

describe('a gateway of two workers, one killed with SIGKILL under load', () => {
  it('both workers serve and are scraped; the other serves on while a replacement starts; nothing acknowledged is lost', async () => {
    const { first } = workerPids();
    expect(first).toHaveLength(2);
    const scraped = await scrapeGateways();
    expect(scraped.counted).toBe(2);
    expect(scraped.instances.size).toBe(2);
    // The same two processes the primary reported (in whatever order they became ready).
    const pidOf = (instance: string) => Number(instance.slice(instance.lastIndexOf(':') + 1));
    expect([...scraped.instances].map(pidOf).sort((a, b) => a - b)).toEqual([...first].sort((a, b) => a - b));
    // What a scrape reports once is under the pool's instance, whichever worker serves it.
    expect(scraped.instances.has(scraped.poolInstance)).toBe(false);
    for (let i = 0; i < 4; i++) expect((await scrapeGateways()).poolInstance).toBe(scraped.poolInstance);

    // Both workers answer on the one port, each with the delegated responder key it made.
    const { csr } = opensslCsr(dir, 'p256');
    const r = await api(p!.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '网关工作进程', uscc: makeUscc(), regionCode: '450100', accountNo: 'W1' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const c = { issuing: dir.file('issuing.pem', r.body.chainPem[0]), leaf: dir.file('leaf.pem', r.body.certificatePem) };
    const ids = await waitFor(async () => {
      const seen = await responderIds(c, 6);
      return seen.size === 2 && seen;
    }, 30_000, 500);
    expect(ids.size).toBe(2);

    const victim = first[0]!;
    let goneAt = 0;
    const { report, calls } = await runFault(
      { baseUrls: [p!.baseUrl], db: p!.db, natsUrl: nats!.url, dir },
      'one of two gateway workers killed (SIGKILL) mid-load; the primary replaces it',
      async () => {
        process.kill(victim, 'SIGKILL');
        await waitFor(async () => {
          try {
            process.kill(victim, 0);
            return false;
          } catch {
            return true;
          }
        }, 5000, 20);
        goneAt = Date.now();
        await waitFor(async () => workerPids().replaced.length > 0, 60_000, 200);
      },
      // A call the killed worker had taken is cut off (status 0): an unknown outcome, retried with its key.
      { beforeMs: 5000, afterMs: 6000, load: { clients: 8, pauseMs: 60 }, checkOptions: { cutOff: (x: Call) => x.status === 0 && !refused(x) && x.startedAt <= goneAt } },
    );
    const after = calls.filter((x) => !x.retryOf && x.startedAt > goneAt);
    console.log(`   worker ${victim} killed; replacement ${workerPids().replaced.join(', ')}; ${calls.filter((x) => !x.retryOf && x.status === 0).length} calls cut off; first 2xx after the kill in ${recoveredAfter(after, goneAt)} ms`);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
    expect(report.acknowledged.issue).toBeGreaterThan(10);
    // Nothing is refused on the port meanwhile: the listening socket stays open, and the living worker accepts from it.
    expect(calls.filter(refused)).toEqual([]);
    expect(after.filter((x) => x.status >= 200 && x.status < 300).length).toBeGreaterThan(0);
    expect(after.filter((x) => x.status === 0)).toEqual([]);

    // The replacement is a worker like the first two: scraped, and signing with a key of its own.
    const replacement = workerPids().replaced[0]!;
    expect(replacement).not.toBe(victim);
    await sleep(500);
    const again = await waitFor(async () => {
      const s = await scrapeGateways();
      return s.counted === 2 && s.instances.size === 2 && s;
    }, 20_000, 300);
    expect([...again.instances].some((i) => i.endsWith(`:${replacement}`))).toBe(true);
    const idsAfter = await waitFor(async () => {
      const seen = await responderIds(c, 6);
      return seen.size === 2 && seen;
    }, 30_000, 500);
    expect([...idsAfter].filter((id) => !ids.has(id))).toHaveLength(1);

    // SIGTERM to the primary stops every worker the way a single gateway stops, and says it went well.
    const living = [first[1]!, replacement];
    const exit = await gateway!.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    for (const pid of living) expect(() => process.kill(pid, 0), `worker ${pid} gone`).toThrow();
  }, 300_000);
});
