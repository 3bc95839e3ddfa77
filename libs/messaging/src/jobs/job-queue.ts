import { Queue, Worker, type ConnectionOptions, type DefaultJobOptions, type JobSchedulerTemplateOptions, type Processor, type RepeatOptions, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import { bullPrefix, type QueueName } from '@ecert/contracts';

/** Jobs kept after they end, unless a job says otherwise: enough to look at in the board, never unbounded. */
export const DEFAULT_JOB_RETENTION: DefaultJobOptions = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } };

/** How long close() waits: after a Redis outage BullMQ may wait on a connection that never answers again. */
const CLOSE_BOUND_MS = 3000;

/** How often a queue checks that Redis still holds its job schedulers (see schedule()). */
export const SCHEDULER_CHECK_MS = 30_000;

/** One repeating job: what upsertJobScheduler takes after the id. */
interface Schedule<T> {
  repeat: Omit<RepeatOptions, 'key'>;
  template?: { name?: string; data?: T; opts?: JobSchedulerTemplateOptions };
}

export interface JobQueueOptions<T> {
  name: QueueName;
  redisUrl: string;
  /** The deployment's (or test run's) ECERT_REDIS_PREFIX. */
  redisPrefix: string;
  processor: Processor<T>;
  /** Names the queue in log lines ("CRL", "reminders"). */
  label: string;
  concurrency?: number;
  /** Instead of the default connection (commands wait for Redis to come back, as BullMQ's workers need). */
  connection?: ConnectionOptions;
  worker?: Omit<WorkerOptions, 'connection' | 'prefix' | 'concurrency'>;
  defaultJobOptions?: DefaultJobOptions;
  /** Tests only: how often the job schedulers are checked (default SCHEDULER_CHECK_MS). */
  schedulerCheckMs?: number;
}

/**
 * A BullMQ queue and its worker, opened the one way every service does: the shared queue name and
 * key prefix, errors logged instead of thrown, ended jobs trimmed, and a close that cannot hang.
 */
export class JobQueue<T = unknown> {
  private readonly schedules = new Map<string, Schedule<T>>();
  /** Schedulers configured off here: removed again if an instance still configured on puts them back. */
  private readonly unscheduled = new Set<string>();
  private checkTimer?: NodeJS.Timeout;
  private checking?: Promise<string[]>;
  private closed = false;

  private constructor(
    readonly queue: Queue<T>,
    readonly worker: Worker<T>,
    private readonly logger: Logger,
    private readonly label: string,
    private readonly checkEveryMs: number,
  ) {}

  static open<T = unknown>(logger: Logger, o: JobQueueOptions<T>): JobQueue<T> {
    const connection = o.connection ?? { url: o.redisUrl, maxRetriesPerRequest: null };
    const prefix = bullPrefix(o.redisPrefix);
    const queue = new Queue<T>(o.name, { connection, prefix, defaultJobOptions: { ...DEFAULT_JOB_RETENTION, ...o.defaultJobOptions } });
    const worker = new Worker<T>(o.name, o.processor, { ...o.worker, connection, prefix, concurrency: o.concurrency ?? 1 });
    queue.on('error', (e) => logger.warn({ err: e.message }, `${o.label} queue error`));
    worker.on('error', (e) => logger.warn({ err: e.message }, `${o.label} worker error`));
    return new JobQueue(queue, worker, logger, o.label, o.schedulerCheckMs ?? SCHEDULER_CHECK_MS);
  }

  /**
   * A repeating job (CRL refresh, reminders, the invalid-list run, document retention). BullMQ keeps
   * a scheduler only in Redis: a Redis that restarts empty, or a failover to a replica that had
   * not received it, loses it, and the job would silently never run again until the service
   * restarted. So the queue remembers what it scheduled and puts back whatever Redis lost: when its
   * connection is ready again and every SCHEDULER_CHECK_MS. Upserting by id is idempotent, so
   * several instances doing it at once leave one scheduler.
   */
  async schedule(id: string, repeat: Schedule<T>['repeat'], template?: Schedule<T>['template']): Promise<void> {
    this.unscheduled.delete(id);
    this.schedules.set(id, { repeat, template });
    await this.upsert(id, { repeat, template });
    this.watch();
  }

  private watch(): void {
    if (this.checkTimer) return;
    this.checkTimer = setInterval(() => void this.restoreSchedules(), this.checkEveryMs);
    this.checkTimer.unref();
    this.queue.getBackend().on('ready', () => void this.restoreSchedules());
  }

  // The id is a scheduler's, not a job name: BullMQ types it as the queue's name type.
  private upsert(id: string, s: Schedule<T>) {
    return (this.queue as Queue).upsertJobScheduler(id, s.repeat, s.template as Parameters<Queue['upsertJobScheduler']>[2]);
  }

  /**
   * Stops a repeating job (configured off): removed from Redis, and removed again by the same
   * checks if an instance still configured on (a rolling change of configuration) puts it back.
   */
  async unschedule(id: string): Promise<void> {
    this.schedules.delete(id);
    this.unscheduled.add(id);
    await this.queue.removeJobScheduler(id);
    this.watch();
  }

  /** Puts back the schedulers Redis no longer has; returns their ids. One check at a time. */
  restoreSchedules(): Promise<string[]> {
    this.checking ??= this.restoreMissing().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async restoreMissing(): Promise<string[]> {
    const restored: string[] = [];
    for (const [id, s] of this.schedules) {
      if (this.closed) break;
      try {
        if (await this.queue.getJobScheduler(id)) continue;
        if (!this.schedules.has(id) || this.closed) continue;
        await this.upsert(id, s);
        restored.push(id);
        this.logger.warn({ scheduler: id }, `${this.label} job scheduler was missing from Redis (emptied or failed over); restored`);
      } catch (e) {
        this.logger.warn({ scheduler: id, err: (e as Error).message }, `${this.label} job scheduler could not be checked`);
      }
    }
    for (const id of this.unscheduled) {
      if (this.closed) break;
      try {
        if (!(await this.queue.getJobScheduler(id)) || !this.unscheduled.has(id)) continue;
        await this.queue.removeJobScheduler(id);
        this.logger.warn({ scheduler: id }, `${this.label} job scheduler is configured off here but was scheduled again (an instance configured on?); removed`);
      } catch (e) {
        this.logger.warn({ scheduler: id, err: (e as Error).message }, `${this.label} job scheduler could not be checked`);
      }
    }
    return restored;
  }

  /** `force`: do not wait for running jobs (their locks expire and another instance takes them). */
  async close(force = false): Promise<void> {
    this.closed = true;
    clearInterval(this.checkTimer);
    const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, CLOSE_BOUND_MS).unref())]);
    await bounded(this.worker.close(force));
    await bounded(this.queue.close());
  }
}
