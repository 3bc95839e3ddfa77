import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';

/**
 * Issue 7: a Redis that stops is a bounded wait and a clean problem (never a hang), and the
 * platform heals by itself when it returns. The platform runs on a private redis-server here.
 */
const dir = new TempDir();
let redis: ChildProcess | undefined;
let port: number;
let p: TestPlatform;

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(async () => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  }, 10_000);
}

async function stopRedis(): Promise<void> {
  const r = redis;
  redis = undefined;
  if (!r || r.exitCode !== null) return;
  await new Promise((done) => {
    r.once('exit', done);
    r.kill('SIGKILL');
  });
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  p = await startTestPlatform({ services: ['cert', 'gateway'], env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '1000' } });
});

afterAll(async () => {
  await p?.close();
  await stopRedis();
  dir.remove();
});

const issueBody = () => ({ profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit: { name: '测试单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'R-1' } });

describe('Redis outage', () => {
  it('answers 503 store_unavailable within the command deadline while Redis is gone, then heals', async () => {
    expect((await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' })).status).toBe(201);
    await stopRedis();
    for (const call of [
      () => api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' }),
      () => api(p.baseUrl, 'POST', '/api/v1/certificates', issueBody(), { 'idempotency-key': `redis-down-${Date.now()}` }),
    ]) {
      const started = Date.now();
      const r = await call();
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.code).toBe('store_unavailable');
      expect(r.headers.get('retry-after')).toBe('2');
      expect(Date.now() - started).toBeLessThan(4000);
    }
    const health = await api(p.baseUrl, 'GET', '/api/v1/health');
    expect(health.status).toBe(503);
    expect(health.body.stores.redis).toBe('down');

    await startRedis();
    await waitFor(async () => (await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' })).status === 201, 15_000, 250);
    const issued = await api(p.baseUrl, 'POST', '/api/v1/certificates', issueBody(), { 'idempotency-key': `redis-back-${Date.now()}` });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  });
});
