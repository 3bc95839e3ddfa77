import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ProblemError, type EcertConfig } from '@ecert/common';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { bullPrefix, QueueNames, SAGA_JOB_NAME, type ApplicationSagaJob } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE, LOGGER, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { isTransientProblem, sagaJobOutcome, STEP_MAX_ATTEMPTS, stepBackoffMs } from '@ecert/workflow';
import { ApplicationEntity } from '../applications/entities/application.entity';
import { ApplicationStepEntity } from '../applications/entities/application-step.entity';
import { journal, WORKFLOW_SERVICE_ACTOR } from '../applications/application-journal';
import { touch } from '../applications/application-loader';
import { WorkingCalendarProvider } from '../sla/working-calendar.provider';
import { refreshDueColumns } from '../sla/application-deadline';
import { advance } from './fulfilment-engine';
import { FulfilmentStepExecutor } from './fulfilment-step.executor';


interface Claimed {
  application_id: string;
  seq: number;
  attempts: number;
}

/** How soon a saga job looks again when a due step of its application is being sent elsewhere. */
const BUSY_RETRY_MS = 1000;
/** Applications with due steps queued per sweep (the rest at the next one). */
const SWEEP_LIMIT = 500;
/** The sagas queue's history: the last completed runs, and more of the failures (they need an operator). */
const SAGA_JOB_RETENTION = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sends the due steps of approved applications. A step is claimed with a lease (its
 * next_attempt_at moves past the call's deadline), so several instances never send one step at
 * once, and a step whose instance died is claimed again when the lease runs out — and resent with
 * the same idempotency key, so the cert- and seal-service do it at most once.
 *
 * PostgreSQL decides what is due (a step and its retry time change in one transaction); the
 * BullMQ queue `QueueNames.sagas` only triggers and shows it: one job per application (job id =
 * application id), delayed until its next step is due, failed with the reason when a step cannot
 * succeed. The poll is the sweep for whatever the queue lost, and while Redis does not answer it
 * carries the steps out itself, so fulfilment never waits for Redis.
 */
@Injectable()
export class FulfilmentRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly leaseMs: number;
  private queue?: Queue<ApplicationSagaJob>;
  private worker?: Worker<ApplicationSagaJob>;
  /** Redis did not answer the last time: logged once per outage. */
  private queueDown = false;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly executor: FulfilmentStepExecutor,
    private readonly calendar: WorkingCalendarProvider,
  ) {
    // Long enough for the slowest step (seals: a seal-service call that itself calls the cert-service).
    this.leaseMs = config.NATS_REQUEST_TIMEOUT_MS * 3 + 5_000;
  }

  onApplicationBootstrap(): void {
    const prefix = bullPrefix(this.config.ECERT_REDIS_PREFIX);
    // The producer fails fast when Redis is gone (the poll then works alone); the worker waits for it.
    this.queue = new Queue(QueueNames.sagas, { connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: 1, commandTimeout: this.config.REDIS_COMMAND_TIMEOUT_MS }, prefix });
    this.queue.on('error', (e) => this.redisDown(e));
    this.worker = new Worker(QueueNames.sagas, (job, token) => this.carryOut(job, token), {
      connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: null },
      prefix,
      concurrency: this.config.WORKFLOW_SAGA_CONCURRENCY,
      // A job runs its application's steps one after another; its lock is renewed while it does.
      lockDuration: Math.max(30_000, this.leaseMs),
    });
    this.worker.on('error', (e) => this.redisDown(e));
    this.timer = setInterval(() => this.kick(), this.config.WORKFLOW_STEP_POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    const bounded = (p: Promise<unknown> | undefined) => Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(this.worker?.close());
    await bounded(this.queue?.close());
  }

  /**
   * Have due steps carried out now (after a decision, a production report, a retry), without
   * waiting for the poll: this application's, or (no id) every application's that has some.
   */
  kick(applicationId?: string): void {
    if (this.stopped) return;
    if (applicationId) {
      void this.queueApplication(applicationId).catch((e) => {
        this.redisDown(e);
        // The sweep queues it, or carries the steps out here if the queue still fails.
        this.sweep();
      });
      return;
    }
    this.sweep();
  }

  /** Runs this application's due steps before returning (bounded), for callers that answer with their outcome. */
  async runDueNow(applicationId: string, budgetMs = Math.max(1000, this.config.NATS_REQUEST_TIMEOUT_MS - 1000)): Promise<void> {
    const until = Date.now() + budgetMs;
    try {
      while (Date.now() < until && !this.stopped) {
        const claimed = await this.claim(applicationId);
        if (!claimed.length) {
          // A step of it claimed elsewhere (the poller, another instance) is still on its way.
          const [{ busy }] = await this.ds.query(
            `SELECT count(*)::int AS busy FROM "workflow"."application_step" WHERE application_id = $1 AND status = 'running' AND next_attempt_at IS NOT NULL`,
            [applicationId],
          );
          if (!busy) return;
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        for (const c of claimed) await this.runStep(c);
      }
    } finally {
      // What is left (a retry later, the budget spent) goes on as the application's saga job.
      this.kick(applicationId);
    }
  }

  /** One round, serialised: queue what is due, or (Redis not answering) carry it out here. */
  private sweep(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweepOnce()
      .catch((e) => this.logger.warn({ err: (e as Error).message }, 'fulfilment round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.sweep();
        }
      });
  }

  private async sweepOnce(): Promise<void> {
    const due: { application_id: string }[] = await this.ds.query(
      `SELECT DISTINCT application_id FROM "workflow"."application_step"
        WHERE status IN ('pending', 'running') AND next_attempt_at IS NOT NULL AND next_attempt_at <= now() LIMIT ${SWEEP_LIMIT}`,
    );
    if (!due.length) return;
    try {
      for (const d of due) await this.enqueue(d.application_id, 0);
      this.redisUp();
      return;
    } catch (e) {
      this.redisDown(e);
    }
    await this.drain();
  }

  /** Carries every due step out in this process (Redis not answering). */
  private async drain(): Promise<void> {
    for (let round = 0; round < 20 && !this.stopped; round++) {
      const claimed = await this.claim();
      if (!claimed.length) return;
      await Promise.all(claimed.map((c) => this.runStep(c)));
    }
    this.again = true;
  }

  /**
   * Queues this application's saga for when its next step is due; one that needs attention too
   * (its job fails with the reason), whichever runner found that the step cannot succeed.
   */
  private async queueApplication(applicationId: string): Promise<void> {
    const [s] = await this.ds.query(
      `SELECT a.attention IS NOT NULL AS attention, (SELECT min(next_attempt_at) FROM "workflow"."application_step" s
                                                     WHERE s.application_id = a.id AND s.status IN ('pending', 'running') AND s.next_attempt_at IS NOT NULL) AS next
         FROM "workflow"."application" a WHERE a.id = $1`,
      [applicationId],
    );
    if (!s || (!s.next && !s.attention)) return;
    await this.enqueue(applicationId, s.next ? Math.max(0, new Date(s.next).getTime() - Date.now()) : 0);
    this.redisUp();
  }

  /**
   * One job per application: a waiting or running one covers new steps (the sweep catches one
   * that finished a moment too early); a delayed one is started now if a step is due now; a
   * finished one (completed, or failed before an operator's retry) is replaced.
   */
  private async enqueue(applicationId: string, delayMs: number): Promise<void> {
    const queue = this.queue;
    if (!queue) throw new Error('sagas queue not started');
    const existing = await this.deadline(queue.getJob(applicationId));
    if (existing) {
      const state = await this.deadline(existing.getState());
      if (state === 'delayed') {
        if (delayMs === 0) await this.deadline(existing.promote()).catch((e) => this.logger.debug({ err: (e as Error).message, applicationId }, 'saga job not promoted'));
        return;
      }
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      // Not removed, the add below would be ignored: failing here has the poll carry the steps out instead.
      await this.deadline(existing.remove());
    }
    await this.deadline(queue.add(SAGA_JOB_NAME, { applicationId }, { jobId: applicationId, delay: delayMs, attempts: 1, ...SAGA_JOB_RETENTION }));
  }

  /** The worker: this application's due steps, then what PostgreSQL says the saga is waiting for. */
  private async carryOut(job: Job<ApplicationSagaJob>, token?: string): Promise<Record<string, unknown>> {
    const applicationId = job.data?.applicationId;
    if (typeof applicationId !== 'string' || !UUID.test(applicationId)) throw new UnrecoverableError('not an application id');
    let stepsRun = 0;
    while (!this.stopped) {
      const claimed = await this.claim(applicationId);
      if (!claimed.length) break;
      for (const c of claimed) await this.runStep(c);
      stepsRun += claimed.length;
    }
    if (this.stopped) {
      // Shutting down: another instance (or this one restarted) goes on with it.
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const [s] = await this.ds.query(
      `SELECT a.status, a.attention, (SELECT min(next_attempt_at) FROM "workflow"."application_step" s
                                       WHERE s.application_id = a.id AND s.status IN ('pending', 'running') AND s.next_attempt_at IS NOT NULL) AS next
         FROM "workflow"."application" a WHERE a.id = $1`,
      [applicationId],
    );
    if (!s) throw new UnrecoverableError(`application ${applicationId} does not exist`);
    const outcome = sagaJobOutcome({ attention: s.attention, nextAttemptAt: s.next ? new Date(s.next) : null }, Date.now(), BUSY_RETRY_MS);
    // A step that cannot succeed: the job fails with its reason, shown in the board until an operator retries the application.
    if (outcome.kind === 'failed') throw new UnrecoverableError(outcome.reason);
    if (outcome.kind === 'delayed') {
      await job.moveToDelayed(outcome.until, token);
      throw new DelayedError();
    }
    return { status: s.status, stepsRun };
  }

  /** Redis commands of the producer are bounded: a stopped Redis must not hold a decision's answer or the poll. */
  private deadline<T>(p: Promise<T>): Promise<T> {
    const ms = this.config.REDIS_COMMAND_TIMEOUT_MS + 500;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Command timed out (sagas queue)')), ms)))]).finally(() => clearTimeout(timer));
  }

  private redisDown(e: unknown): void {
    if (this.queueDown || this.stopped) return;
    this.queueDown = true;
    this.logger.warn({ err: (e as Error)?.message }, 'sagas queue unavailable (Redis): fulfilment goes on from the poll');
  }

  private redisUp(): void {
    if (!this.queueDown) return;
    this.queueDown = false;
    this.logger.info('sagas queue available again');
  }

  private async claim(applicationId?: string): Promise<Claimed[]> {
    const answer: unknown = await this.ds.query(
      `UPDATE "workflow"."application_step" s
          SET status = 'running', attempts = s.attempts + 1, next_attempt_at = now() + ($1 || ' milliseconds')::interval, updated_at = now()
        WHERE (s.application_id, s.seq) IN (
              SELECT application_id, seq FROM "workflow"."application_step"
               WHERE status IN ('pending', 'running') AND next_attempt_at IS NOT NULL AND next_attempt_at <= now()
                 AND ($2::uuid IS NULL OR application_id = $2::uuid)
               ORDER BY next_attempt_at
               LIMIT 8
               FOR UPDATE SKIP LOCKED)
      RETURNING s.application_id, s.seq, s.attempts`,
      [String(this.leaseMs), applicationId ?? null],
    );
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected].
    return (Array.isArray(answer) && Array.isArray(answer[0]) ? answer[0] : answer) as Claimed[];
  }

  private async runStep(c: Claimed): Promise<void> {
    const app = await this.ds.getRepository(ApplicationEntity).findOneBy({ id: c.application_id });
    const step = await this.ds.getRepository(ApplicationStepEntity).findOneBy({ applicationId: c.application_id, seq: c.seq });
    if (!app || !step) return;
    let outcome: { ok: true; result: Record<string, unknown> } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, result: await this.executor.execute(app, step) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    await this.ds.transaction(async (m) => {
      const locked = await m.findOne(ApplicationEntity, { where: { id: app.id }, lock: { mode: 'pessimistic_write' } });
      const current = await m.findOne(ApplicationStepEntity, { where: { applicationId: app.id, seq: c.seq }, lock: { mode: 'pessimistic_write' } });
      // Another instance took the step over after this one's lease ran out: its outcome counts.
      if (!locked || !current || current.status !== 'running' || current.attempts !== c.attempts) return;
      const now = new Date();
      current.updatedAt = now;
      if (outcome.ok) {
        current.status = 'done';
        current.result = outcome.result;
        current.nextAttemptAt = null;
        current.lastError = null;
        await m.save(current);
        await this.executor.apply(m, locked, current, outcome.result);
        await journal(m, locked, `step_done:${current.name}`, WORKFLOW_SERVICE_ACTOR, outcome.result);
        await advance(m, locked, now);
      } else {
        const problem = outcome.error instanceof ProblemError ? outcome.error : undefined;
        const reason = problem ? `${problem.status} ${problem.code}: ${problem.detail ?? problem.title}` : (outcome.error as Error)?.message ?? String(outcome.error);
        const transient = !problem || isTransientProblem(problem.status, String(problem.code));
        current.lastError = reason.slice(0, 1000);
        if (transient && current.attempts < STEP_MAX_ATTEMPTS) {
          current.status = 'pending';
          current.nextAttemptAt = new Date(now.getTime() + stepBackoffMs(current.attempts, this.config.WORKFLOW_STEP_BACKOFF_MS));
          await m.save(current);
          this.logger.warn({ applicationId: app.id, step: current.name, attempt: current.attempts, reason }, 'fulfilment step failed; retrying');
          return;
        }
        current.status = 'failed';
        current.nextAttemptAt = null;
        await m.save(current);
        locked.attention = { reason, step: current.name, at: now.toISOString(), previousStatus: locked.status };
        // A closed application stays closed (a rejection's compensation failed): it shows the attention only.
        if (!locked.closedAt) locked.status = 'needs_attention';
        await journal(m, locked, 'failed', WORKFLOW_SERVICE_ACTOR, { step: current.name, reason }, 'application.failed');
        this.logger.error({ applicationId: app.id, step: current.name, reason }, 'fulfilment step cannot succeed; the application needs attention');
      }
      touch(locked, now);
      refreshDueColumns(locked, this.calendar.calendar(), now);
      await m.save(locked);
    });
    this.relay.kick();
  }
}
