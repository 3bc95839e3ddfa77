/**
 * RateLimiter against the real Redis (this run's key prefix): the window's count, its expiry set
 * with it, and the script surviving a Redis that forgot it (SCRIPT FLUSH, as after a restart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisClient, loadConfig } from '@ecert/common';
import { PrivateRedis } from '../../../../test/support/private-redis';
import { waitFor } from '../../../../test/support/http';
import { RateLimiter } from './rate-limiter.service';

const config = loadConfig(process.env);
let redis: Redis;

beforeAll(() => {
  redis = createRedisClient(config, 'rate-limiter-spec');
});

afterAll(async () => {
  const keys = await redis.keys(`${config.ECERT_REDIS_PREFIX}:rl:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('RateLimiter', () => {
  it('lets perSecond requests of a caller through in a window, then asks to wait; each window expires', async () => {
    const limiter = new RateLimiter(config, redis);
    const caller = `spec-${process.pid}-${Date.now()}`;
    // Not across a second's edge: start just after one.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await limiter.take(caller, 3));
    expect(waits).toEqual([0, 0, 0, 1, 1]);
    const [key] = await redis.keys(`${config.ECERT_REDIS_PREFIX}:rl:${caller}:*`);
    expect(await redis.get(key!)).toBe('5');
    const ttl = await redis.ttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2);
  });

  it('keeps counting after Redis restarted empty (its scripts forgotten), and one client serves several limiters', async () => {
    // A Redis of this test's own: the shared one's scripts belong to every test running beside it.
    const own = await PrivateRedis.start();
    const client = createRedisClient({ ...config, REDIS_URL: own.url }, 'rate-limiter-restart-spec');
    try {
      const a = new RateLimiter(config, client);
      const b = new RateLimiter(config, client);
      expect(await a.take('restart-a', 5)).toBe(0);
      await own.stop();
      await own.start();
      // Back empty: the next EVALSHA is answered NOSCRIPT, and ioredis sends the script itself.
      const after = await waitFor(async () => ((await client.ping().catch(() => '')) === 'PONG' ? true : undefined));
      expect(after).toBe(true);
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
      expect(await b.take('restart-b', 1)).toBe(0);
      expect(await a.take('restart-b', 1)).toBe(1);
      expect(await client.keys(`${config.ECERT_REDIS_PREFIX}:rl:restart-b:*`)).toHaveLength(1);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});
