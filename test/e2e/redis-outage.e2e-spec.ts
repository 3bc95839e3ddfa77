import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CrlPublisher } from '../../apps/cert-service/src/revocation/crl-publisher.service';
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

  it('serves CRLs while Redis is gone, from the reply kept a minute, and asks again after a status change', async () => {
    const issued = await api(p.baseUrl, 'POST', '/api/v1/certificates', issueBody());
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const { serial, caId } = issued.body as { serial: string; caId: string };
    const publish = vi.spyOn(p.services.cert!.get(CrlPublisher), 'publish');
    await redis.stop();
    try {
      const get = async () => {
        const r = await fetch(`${p.baseUrl}/pki/crl/${caId}.crl`);
        return { status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength };
      };
      const first = await get();
      expect(first.status).toBe(200);
      expect(first.type).toContain('application/pkix-crl');
      expect(first.bytes).toBeGreaterThan(100);
      const asked = publish.mock.calls.length;
      expect(asked).toBeGreaterThan(0);
      // Kept: the next GETs cost the cert-service nothing.
      for (let i = 0; i < 3; i++) expect((await get()).status).toBe(200);
      expect(publish.mock.calls.length).toBe(asked);
      // A status change (its invalidation broadcast) drops the kept copy: the next GET asks again.
      const frozen = await api(p.baseUrl, 'POST', `/api/v1/certificates/${serial}/freeze`, {});
      expect(frozen.status, JSON.stringify(frozen.body)).toBe(200);
      const afterFreeze = publish.mock.calls.length;
      expect((await get()).status).toBe(200);
      expect(publish.mock.calls.length).toBeGreaterThan(afterFreeze);
    } finally {
      publish.mockRestore();
      await redis.start();
    }
  });
});
