import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pino from 'pino';
import { QueueNames } from '@ecert/contracts';
import { PrivateRedis } from '../../../../test/support/private-redis';
import { waitFor } from '../../../../test/support/http';
import { JobQueue } from './job-queue';

/**
 * A repeating job must survive Redis losing its scheduler — a Redis restarted without
 * persistence, a failover to a replica that had not received it, a flush. Before, the CRL
 * refresh, the reminders, the invalid-list run and the document sweep were scheduled once at
 * start and never again: after such a loss they stopped until the service restarted.
 */
let redis: PrivateRedis;
let jobs: JobQueue;
let runs = 0;
const prefix = `jobq${process.pid}`;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  jobs = JobQueue.open(pino({ level: 'silent' }), {
    name: QueueNames.crlRefresh,
    redisUrl: redis.url,
    redisPrefix: prefix,
    label: 'test',
    processor: async () => {
      runs++;
    },
    schedulerCheckMs: 300,
  });
  await jobs.schedule('tick', { every: 250 }, { name: 'tick' });
});
afterAll(async () => {
  await jobs?.close(true);
  await redis?.stop();
});

async function flushAll(): Promise<void> {
  const r = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    await r.flushall();
  } finally {
    r.disconnect();
  }
}

describe('JobQueue schedules', () => {
  it('runs a scheduled job', async () => {
    await waitFor(async () => runs >= 2, 10_000, 50);
  });

  it('puts the scheduler back after Redis restarts empty, and the job runs again', async () => {
    await redis.stop();
    await redis.start();
    await waitFor(async () => !!(await jobs.queue.getJobScheduler('tick')), 10_000, 100);
    const before = runs;
    await waitFor(async () => runs > before + 1, 10_000, 50);
  });

  it('puts it back after a flush while connected (no reconnection to notice)', async () => {
    await flushAll();
    expect(await jobs.queue.getJobScheduler('tick')).toBeUndefined();
    await waitFor(async () => !!(await jobs.queue.getJobScheduler('tick')), 5_000, 100);
    const before = runs;
    await waitFor(async () => runs > before + 1, 10_000, 50);
  });

  it('does not bring back a schedule that was removed, and removes it again if another instance does', async () => {
    await jobs.unschedule('tick');
    await flushAll();
    expect(await jobs.restoreSchedules()).toEqual([]);
    await new Promise((r) => setTimeout(r, 700));
    expect(await jobs.queue.getJobScheduler('tick')).toBeUndefined();
    // An instance still configured on (a rolling change) schedules it again: this one, configured off, takes it away.
    await jobs.queue.upsertJobScheduler('tick', { every: 250 }, { name: 'tick' });
    await waitFor(async () => !(await jobs.queue.getJobScheduler('tick')), 5_000, 100);
  });
});
