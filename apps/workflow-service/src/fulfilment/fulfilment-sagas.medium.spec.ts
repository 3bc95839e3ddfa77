import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { bullPrefix, QueueNames, SAGA_JOB_NAME, type ApplicationSagaJob } from '@ecert/contracts';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/test-platform';
import { TempDir } from '../../../../test/support/fixtures';
import { ApprovedRevocation } from './approved-revocation.spec-helper';
import { FulfilmentRunner } from './fulfilment-runner.service';

/**
 * The sagas queue (issue 12 §5): an approved application's fulfilment runs as the BullMQ job of
 * that application, which the operators' board then shows — PostgreSQL still deciding what is due.
 */
let p: TestPlatform;
let revocation: ApprovedRevocation;
let queue: Queue<ApplicationSagaJob>;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'workflow'], env: { WORKFLOW_STEP_POLL_MS: '60000' } });
  revocation = new ApprovedRevocation(p, dir);
  queue = new Queue(QueueNames.sagas, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
});
afterAll(async () => {
  await queue?.close();
  await revocation?.close();
  await p?.close();
  dir.remove();
});

describe('sagas as BullMQ jobs', () => {
  it('carries an approved application out as its completed job, id = application id', async () => {
    const id = await revocation.approve();
    // The poll is a minute here: only the job can have carried the steps out this soon.
    await expect.poll(async () => (await queue.getJob(id))?.getState(), { timeout: 15_000, interval: 100 }).toBe('completed');
    const job = (await queue.getJob(id))!;
    expect(job.name).toBe(SAGA_JOB_NAME);
    expect(job.data).toEqual({ applicationId: id });
    expect(job.returnvalue).toMatchObject({ status: 'completed', stepsRun: 1 });
    expect(job.opts).toMatchObject({ removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } });
    const v = await revocation.get(id);
    expect(v.status).toBe('completed');
    expect(v.steps).toEqual([expect.objectContaining({ name: 'revoke_certificate', status: 'done' })]);
  });

  it('a revocation whose certificate became invalid (第二十条) meanwhile is done: invalid is revoked for good, the 409 is no failure', async () => {
    let serial = '';
    const id = await revocation.approve(async (s) => {
      serial = s;
      await p.db.query(
        `UPDATE cert.certificate SET status = 'invalid', invalid_reason = 'idle', invalidated_at = now(), revoked_at = now(), revocation_reason = 'cessationOfOperation' WHERE serial = $1`,
        [s],
      );
    });
    await expect.poll(async () => (await revocation.get(id)).status, { timeout: 15_000, interval: 100 }).toBe('completed');
    const v = await revocation.get(id);
    expect(v.steps).toEqual([expect.objectContaining({ name: 'revoke_certificate', status: 'done' })]);
    expect((await p.db.query('SELECT status FROM cert.certificate WHERE serial = $1', [serial])).rows[0].status).toBe('invalid');
  });

  it('replaces a finished job when the application has due steps again, and leaves one job per application', async () => {
    const id = await revocation.approve();
    await expect.poll(async () => (await queue.getJob(id))?.getState(), { timeout: 15_000, interval: 100 }).toBe('completed');
    const first = (await queue.getJob(id))!.timestamp;
    // As if a step became due again (a production report, a retry): the next kick queues it anew.
    await p.db.query(`UPDATE workflow.application_step SET status = 'pending', next_attempt_at = now() WHERE application_id = $1`, [id]);
    await p.db.query(`UPDATE workflow.application SET status = 'fulfilling', closed_at = NULL WHERE id = $1`, [id]);
    p.services.workflow!.get(FulfilmentRunner).kick(id);
    await expect.poll(async () => { const j = await queue.getJob(id); return j && j.timestamp > first && (await j.getState()); }, { timeout: 15_000, interval: 100 }).toBe('completed');
    expect((await queue.getJobs(['completed', 'failed', 'waiting', 'delayed', 'active'])).filter((j) => j.data.applicationId === id)).toHaveLength(1);
    const steps = (await p.db.query(`SELECT status FROM workflow.application_step WHERE application_id = $1`, [id])).rows;
    expect(steps).toEqual([{ status: 'done' }]);
  });

  it('waits as a delayed job until its step is due (next_attempt_at), and starts at once when it is due now', async () => {
    const id = await revocation.approve();
    await expect.poll(async () => (await queue.getJob(id))?.getState(), { timeout: 15_000, interval: 100 }).toBe('completed');
    // As after a transient failure: the step to retry in a minute (the poll, a minute too, does not run it sooner).
    await p.db.query(`UPDATE workflow.application_step SET status = 'pending', next_attempt_at = now() + interval '60 seconds' WHERE application_id = $1`, [id]);
    await p.db.query(`UPDATE workflow.application SET status = 'fulfilling', closed_at = NULL WHERE id = $1`, [id]);
    const runner = p.services.workflow!.get(FulfilmentRunner);
    runner.kick(id);
    await expect.poll(async () => (await queue.getJob(id))?.getState(), { timeout: 15_000, interval: 100 }).toBe('delayed');
    const delayed = (await queue.getJob(id))!;
    expect(delayed.delay).toBeGreaterThan(50_000);
    expect(delayed.delay).toBeLessThanOrEqual(60_000);
    expect((await p.db.query(`SELECT status FROM workflow.application_step WHERE application_id = $1`, [id])).rows).toEqual([{ status: 'pending' }]);
    // Due now (an operator's retry sets that): the same job is started at once.
    await p.db.query(`UPDATE workflow.application_step SET next_attempt_at = now() WHERE application_id = $1`, [id]);
    runner.kick(id);
    await expect.poll(async () => (await queue.getJob(id))?.getState(), { timeout: 15_000, interval: 100 }).toBe('completed');
    expect((await p.db.query(`SELECT status FROM workflow.application_step WHERE application_id = $1`, [id])).rows).toEqual([{ status: 'done' }]);
  });
});
