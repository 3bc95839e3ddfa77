import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '@ecert/common';
import { CrlPublisher } from './crl-publisher.service';

const config = loadConfig();
const publisher = new CrlPublisher(config);
const redis = new Redis(config.REDIS_URL);

afterAll(async () => {
  const keys = await redis.keys(`${config.ECERT_REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await publisher.onApplicationShutdown();
});

describe('CrlPublisher', () => {
  it('never lets an older CRL replace a newer one', async () => {
    const key = CrlPublisher.key(config.ECERT_REDIS_PREFIX, 'ecdsa-issuing', false);
    const later = new Date(Date.now() + 3_600_000);
    await publisher.publish('ecdsa-issuing', false, Buffer.from('crl-9'), later, 9n);
    await publisher.publish('ecdsa-issuing', false, Buffer.from('crl-10'), later, 10n);
    await publisher.publish('ecdsa-issuing', false, Buffer.from('crl-9-late'), later, '9');
    expect((await redis.getBuffer(key))?.toString()).toBe('crl-10');
    // 10 < 100 numerically although '10' > '100' as text
    await publisher.publish('ecdsa-issuing', false, Buffer.from('crl-100'), later, 100n);
    expect((await redis.getBuffer(key))?.toString()).toBe('crl-100');
    // republishing the same number is fine (Redis restarted, or a second instance)
    await publisher.publish('ecdsa-issuing', false, Buffer.from('crl-100'), later, '100');
    expect((await redis.getBuffer(key))?.toString()).toBe('crl-100');
    expect(await redis.ttl(key)).toBeGreaterThan(3600);
  });
});
