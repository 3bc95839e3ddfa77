import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type pg from 'pg';
import { bullPrefix, QueueNames, type ApplicationSagaJob } from '@ecert/contracts';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/test-platform';
import { TempDir } from '../../../../test/support/fixtures';
import { PrivateRedis } from '../../../../test/support/private-redis';
import { ApprovedRevocation } from './approved-revocation.spec-helper';

/**
 * Redis stopping in the middle of the sagas (issue 12 §5): the workflow-service runs on a Redis of
 * the test's own, killed while one saga job is carrying out its step and another is queued behind
 * it, then started again empty — as a Redis without persistence comes back, and as any Redis may
 * (a failover to an empty replica, a flush). Empty is the harder case of the two: every job is
 * gone, so only PostgreSQL and the runner's poll can finish the work. Each saga must still be
 * carried out exactly once: one revocation at the cert-service, one attempt of its step, one
 * `application.completed`. The cert-service keeps the shared Redis: only the sagas queue is hit.
 */
let p: TestPlatform;
let redis: PrivateRedis;
let revocation: ApprovedRevocation;
let queue: Queue<ApplicationSagaJob>;
const dir = new TempDir();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  p = await startTestPlatform({
    services: ['cert', 'workflow'],
    // One saga at a time, so the second waits in the queue; a quick poll; Redis commands bounded;
    // the revocation held at its certificate row must not time out while the test looks.
    env: { WORKFLOW_SAGA_CONCURRENCY: '1', WORKFLOW_STEP_POLL_MS: '300', REDIS_COMMAND_TIMEOUT_MS: '500', NATS_REQUEST_TIMEOUT_MS: '12000', DATABASE_LOCK_TIMEOUT_MS: '12000' },
    envFor: (s): Record<string, string> => (s === 'workflow' ? { REDIS_URL: redis.url } : {}),
  });
  revocation = new ApprovedRevocation(p, dir);
  queue = new Queue(QueueNames.sagas, { connection: { url: redis.url, maxRetriesPerRequest: 1 }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
  queue.on('error', () => undefined);
});
afterAll(async () => {
  await queue?.close();
  await revocation?.close();
  await p?.close();
  await redis?.stop();
  dir.remove();
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** An application approved up to its last tier; `approve()` gives the last approval (its saga starts). */
function almostApproved(): { ready: Promise<string>; approve: () => Promise<string> } {
  const reached = deferred();
  const go = deferred();
  let serial = '';
  const id = revocation.approve(async (s) => {
    serial = s;
    reached.resolve();
    await go.promise;
  });
  return {
    ready: reached.promise.then(() => serial),
    approve: () => (go.resolve(), id),
  };
}

const jobState = (id: string) => queue.getJobState(id);
const status = async (id: string) => (await revocation.get(id)).status;

describe('fulfilment when Redis stops mid-saga and comes back empty', () => {
  it('finishes the running saga, carries out the one whose job was lost from the poll, each exactly once; the queue works again', async () => {
    const first = almostApproved();
    const second = almostApproved();
    const [firstSerial, secondSerial] = await Promise.all([first.ready, second.ready]);

    // The first saga's revocation waits at the cert-service (its certificate row is locked here), so it is under way when Redis goes.
    const lock: pg.PoolClient = await p.db.connect();
    let locked = true;
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM cert.certificate WHERE serial = $1 FOR UPDATE', [firstSerial]);
      const running = await first.approve();
      await expect.poll(() => jobState(running), { timeout: 15_000, interval: 50 }).toBe('active');
      await expect
        .poll(async () => (await p.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n, { timeout: 10_000, interval: 50 })
        .toBeGreaterThanOrEqual(1);
      // The second is queued behind it (one saga at a time), not picked up yet.
      const queued = await second.approve();
      await expect.poll(() => jobState(queued), { timeout: 10_000, interval: 50 }).toBe('waiting');

      await redis.stop();
      // The queued job is gone with Redis: the poll carries that saga out itself while Redis is
      // down — and leaves the running step alone (its lease), though it is still under way.
      await expect.poll(() => status(queued), { timeout: 20_000, interval: 200 }).toBe('completed');
      expect((await p.db.query(`SELECT status, attempts FROM workflow.application_step WHERE application_id = $1`, [running])).rows).toEqual([{ status: 'running', attempts: 1 }]);
      await lock.query('COMMIT');
      locked = false;
      // The running step ends; its outcome is PostgreSQL's, whatever became of its job.
      await expect.poll(() => status(running), { timeout: 20_000, interval: 200 }).toBe('completed');

      await redis.start();
      // Back, empty: new sagas run as their jobs again — once the service's connection has found
      // Redis again (ioredis reconnects with backoff; a saga approved before that is carried out
      // by the poll, correctly, but not as a job). Each one tried completes either way.
      let asJob = false;
      for (const deadline = Date.now() + 40_000; !asJob && Date.now() < deadline; ) {
        const after = await revocation.approve();
        await expect.poll(() => status(after), { timeout: 20_000, interval: 100 }).toBe('completed');
        asJob = (await jobState(after).catch(() => 'unreachable')) === 'completed';
        if (!asJob) await new Promise((r) => setTimeout(r, 500));
      }
      expect(asJob, 'a saga approved after Redis came back ran as its BullMQ job').toBe(true);
      // Nothing that was lost comes back and runs again: a few polls later, still once each.
      await new Promise((r) => setTimeout(r, 1500));
      for (const [id, serial] of [[running, firstSerial], [queued, secondSerial]] as const) {
        const steps = (await p.db.query(`SELECT name, status, attempts FROM workflow.application_step WHERE application_id = $1`, [id])).rows;
        expect(steps, id).toEqual([{ name: 'revoke_certificate', status: 'done', attempts: 1 }]);
        const revokes = (await p.db.query(`SELECT count(*)::int AS n FROM cert.certificate_history WHERE serial = $1 AND action = 'revoke'`, [serial])).rows[0].n;
        expect(revokes, serial).toBe(1);
        expect((await p.db.query(`SELECT status FROM cert.certificate WHERE serial = $1`, [serial])).rows[0].status).toBe('revoked');
        const completed = (await p.db.query(`SELECT count(*)::int AS n FROM workflow.outbox WHERE type = 'application.completed' AND aggregate_id = $1`, [id])).rows[0].n;
        expect(completed, id).toBe(1);
        const timeline = (await p.db.query(`SELECT what FROM workflow.application_timeline WHERE application_id = $1 AND what IN ('completed', 'step_done:revoke_certificate')`, [id])).rows.map((r) => r.what);
        expect(timeline.sort(), id).toEqual(['completed', 'step_done:revoke_certificate']);
      }
    } finally {
      if (locked) await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
      await redis.start();
    }
  });
});
