import net from 'node:net';
import { Redis } from 'ioredis';
import type { EcertConfig } from '@ecert/common';
import { connectNats, deleteEventsStream } from '@ecert/messaging';
import { dropDatabase } from '@ecert/database';

/**
 * Test runs and benchmark runs each get their own database, NATS prefix (and so JetStream stream),
 * Redis prefix and port. These helpers pick the port and remove that state afterwards.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Drops the run's database (only if its name matches `databaseName`, a guard against dropping a
 * real one), its JetStream stream and its Redis keys. Returns what could not be removed.
 */
export async function dropRunState(config: EcertConfig, databaseName: RegExp): Promise<string[]> {
  const problems: string[] = [];
  const name = new URL(config.DATABASE_URL).pathname.slice(1);
  if (!databaseName.test(name)) throw new Error(`refusing to drop database ${name}`);
  await dropDatabase(config.DATABASE_URL, databaseName).catch((e: Error) => problems.push(`drop database ${name}: ${e.message}`));
  try {
    const nc = await connectNats(config.NATS_URL, 'run-cleanup', config.NATS_USER ? { user: config.NATS_USER, pass: config.NATS_PASSWORD } : {});
    try {
      await Promise.race([deleteEventsStream(nc), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 10_000))]);
    } finally {
      await nc.close().catch(() => undefined);
    }
  } catch (e) {
    problems.push(`delete JetStream stream: ${(e as Error).message}`);
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.ECERT_REDIS_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch (e) {
    problems.push(`delete Redis keys ${config.ECERT_REDIS_PREFIX}:*: ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
  return problems;
}
