import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { PrivateRedis } from '../support/private-redis';

/**
 * Issue 7: a Redis that stops is a bounded wait and a clean problem (never a hang), and the
 * platform heals by itself when it returns. The platform runs on a private redis-server here.
 */
const dir = new TempDir();
let redis: PrivateRedis;
let p: TestPlatform;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  p = await startTestPlatform({ services: ['cert', 'gateway'], env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '1000' } });
});

afterAll(async () => {
  await p?.close();
  await redis?.stop();
  dir.remove();
});

const issueBody = () => ({ profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit: { name: '测试单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'R-1' } });

describe('Redis outage', () => {
  it('answers 503 store_unavailable within the command deadline while Redis is gone, then heals', async () => {
    expect((await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' })).status).toBe(201);
    await redis.stop();
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

    await redis.start();
    await waitFor(async () => (await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' })).status === 201, 15_000, 250);
    const issued = await api(p.baseUrl, 'POST', '/api/v1/certificates', issueBody(), { 'idempotency-key': `redis-back-${Date.now()}` });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  });
});
