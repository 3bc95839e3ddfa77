import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ProblemError, type EcertConfig } from '@ecert/common';
import { CONFIG, DATA_SOURCE, LOGGER, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { isTransientProblem, STEP_MAX_ATTEMPTS, stepBackoffMs } from '@ecert/workflow';
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

/**
 * Sends the due steps of approved applications. A step is claimed with a lease (its
 * next_attempt_at moves past the call's deadline), so several instances never send one step at
 * once, and a step whose instance died is claimed again when the lease runs out — and resent with
 * the same idempotency key, so the cert- and seal-service do it at most once.
 */
@Injectable()
export class FulfilmentRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly leaseMs: number;

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
    this.timer = setInterval(() => this.kick(), this.config.WORKFLOW_STEP_POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Look for due steps now (after a decision or a production report), without waiting for the poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e) => this.logger.warn({ err: (e as Error).message }, 'fulfilment round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Runs this application's due steps before returning (bounded), for callers that answer with their outcome. */
  async runDueNow(applicationId: string, budgetMs = Math.max(1000, this.config.NATS_REQUEST_TIMEOUT_MS - 1000)): Promise<void> {
    const until = Date.now() + budgetMs;
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
  }

  private async drain(): Promise<void> {
    for (let round = 0; round < 20 && !this.stopped; round++) {
      const claimed = await this.claim();
      if (!claimed.length) return;
      await Promise.all(claimed.map((c) => this.runStep(c)));
    }
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
    if (outcome.ok) this.kick();
  }
}
