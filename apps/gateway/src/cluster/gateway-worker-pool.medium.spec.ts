/**
 * GatewayWorkerPool with real forked processes (node:cluster) that follow a script instead of
 * running a gateway (testing/scripted-gateway-worker.mjs): when the pool replaces a worker, when
 * it gives up, and what its exit code says. The exit is the pool's injected one, not process.exit.
 */
import cluster from 'node:cluster';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayWorkerPool, type GatewayWorkerPoolOptions } from './gateway-worker-pool';

const dir = mkdtempSync(join(tmpdir(), 'ecert-pool-spec-'));
const logFile = join(dir, 'incarnations');

beforeAll(() => {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./testing/scripted-gateway-worker.mjs', import.meta.url)), silent: true });
});
afterEach(() => {
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
  delete process.env.SCRIPTED_WORKER_STOP_MS;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  exited: Promise<number>;
  messages: string[];
  /** pids by worker number, in the order they were started. */
  incarnations(): Record<string, number[]>;
  pool: GatewayWorkerPool;
}

function run(plan: Record<string, string[]>, workers: number, opts: Partial<GatewayWorkerPoolOptions> = {}): Run {
  writeFileSync(logFile, '');
  process.env.SCRIPTED_WORKER_PLAN = JSON.stringify(plan);
  process.env.SCRIPTED_WORKER_LOG = logFile;
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) messages.push(JSON.parse(line).msg);
      done();
    },
  });
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const pool = new GatewayWorkerPool(
    {
      workers,
      metricsWindowMs: 200,
      devDefaultsWarned: true,
      url: 'http://test',
      readyDeadlineMs: 3000,
      shutdownGraceMs: 2000,
      restarts: { windowMs: 60_000, crashLoop: 3, firstDelayMs: 50, maxDelayMs: 200, unservedMs: 60_000 },
      exit,
      ...opts,
    },
    pino({ level: 'info' }, sink),
  );
  pool.forkAll();
  const incarnations = () => {
    const out: Record<string, number[]> = {};
    for (const line of readFileSync(logFile, 'utf8').split('\n').filter(Boolean)) {
      const [n, pid] = line.split(' ');
      (out[n!] ??= []).push(Number(pid));
    }
    return out;
  };
  return { exited, messages, incarnations, pool };
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('GatewayWorkerPool', () => {
  it('starts every worker, reports the pool up once, and a stop ends with exit 0', async () => {
    const r = run({}, 2);
    await until(() => r.messages.includes('gateway listening on 2 workers'));
    r.pool.stop(0);
    expect(await r.exited).toBe(0);
    expect(Object.values(cluster.workers ?? {})).toHaveLength(0);
  });

  it('stops with exit 1 when a first worker cannot start, and replaces nothing', async () => {
    const r = run({ 2: ['exit:3', 'ready'] }, 2);
    expect(await r.exited).toBe(1);
    expect(r.messages).toContain('gateway worker exited before it listened; stopping the gateway');
    expect(r.incarnations()['2']).toHaveLength(1);
  });

  it('kills a first worker that hangs while starting, and stops with exit 1', async () => {
    const r = run({ 2: ['hang'] }, 2, { readyDeadlineMs: 800 });
    expect(await r.exited).toBe(1);
    expect(r.messages).toContain('gateway worker did not listen within 0.8 s; killing it');
  });

  it('replaces a worker that served and died while another was still starting, instead of stopping', async () => {
    // Worker 2 listens only in its second incarnation: until then the pool has not started all.
    const r = run({ 1: ['ready-exit:7:100', 'ready'], 2: ['hang'] }, 2, { readyDeadlineMs: 2500 });
    await until(() => (r.incarnations()['1'] ?? []).length === 2);
    expect(r.messages).toContain('gateway worker died; starting another (the other workers keep serving)');
    expect(r.messages).not.toContain('gateway worker exited before it listened; stopping the gateway');
    // The hang is still a start that failed: the pool stops, by the ready deadline.
    expect(await r.exited).toBe(1);
  });

  it('replaces a dead worker of a running pool and keeps the others', async () => {
    const r = run({ 1: ['ready-exit:9:600', 'ready'] }, 2);
    await until(() => r.messages.includes('gateway worker replaced'));
    const seen = r.incarnations();
    expect(seen['1']).toHaveLength(2);
    expect(seen['2']).toHaveLength(1);
    r.pool.stop(0);
    expect(await r.exited).toBe(0);
  });

  it('stops a worker still starting with the grace period, not the ready deadline', async () => {
    process.env.SCRIPTED_WORKER_STOP_MS = '700';
    const r = run({ 2: ['hang'] }, 2, { readyDeadlineMs: 500, shutdownGraceMs: 3000 });
    await until(() => (r.incarnations()['2'] ?? []).length === 1 && (r.incarnations()['1'] ?? []).length === 1);
    r.pool.stop(0);
    expect(await r.exited).toBe(0);
    expect(r.messages.some((m) => /did not listen/.test(m))).toBe(false);
  });

  it('kills a worker that ignores the stop after the grace period, and exits 1', async () => {
    const r = run({ 2: ['stubborn'] }, 2, { shutdownGraceMs: 600 });
    await until(() => r.messages.includes('gateway listening on 2 workers'));
    r.pool.stop(0);
    expect(await r.exited).toBe(1);
  });

  it('gives up when no worker serves and the replacements keep dying', async () => {
    const r = run({ 1: ['ready-exit:5:300', 'exit:5'], 2: ['ready-exit:5:300', 'exit:5'] }, 2);
    expect(await r.exited).toBe(1);
    expect(r.messages).toContain('no gateway worker serves and their replacements keep dying; stopping the gateway');
  });
});
