import { Queue, Worker, type ConnectionOptions, type DefaultJobOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import { bullPrefix, type QueueName } from '@ecert/contracts';

/** Jobs kept after they end, unless a job says otherwise: enough to look at in the board, never unbounded. */
export const DEFAULT_JOB_RETENTION: DefaultJobOptions = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } };

/** How long close() waits: after a Redis outage BullMQ may wait on a connection that never answers again. */
const CLOSE_BOUND_MS = 3000;

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
}

/**
 * A BullMQ queue and its worker, opened the one way every service does: the shared queue name and
 * key prefix, errors logged instead of thrown, ended jobs trimmed, and a close that cannot hang.
 */
export class JobQueue<T = unknown> {
  private constructor(
    readonly queue: Queue<T>,
    readonly worker: Worker<T>,
  ) {}

  static open<T = unknown>(logger: Logger, o: JobQueueOptions<T>): JobQueue<T> {
    const connection = o.connection ?? { url: o.redisUrl, maxRetriesPerRequest: null };
    const prefix = bullPrefix(o.redisPrefix);
    const queue = new Queue<T>(o.name, { connection, prefix, defaultJobOptions: { ...DEFAULT_JOB_RETENTION, ...o.defaultJobOptions } });
    const worker = new Worker<T>(o.name, o.processor, { ...o.worker, connection, prefix, concurrency: o.concurrency ?? 1 });
    queue.on('error', (e) => logger.warn({ err: e.message }, `${o.label} queue error`));
    worker.on('error', (e) => logger.warn({ err: e.message }, `${o.label} worker error`));
    return new JobQueue(queue, worker);
  }

  /** `force`: do not wait for running jobs (their locks expire and another instance takes them). */
  async close(force = false): Promise<void> {
    const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, CLOSE_BOUND_MS).unref())]);
    await bounded(this.worker.close(force));
    await bounded(this.queue.close());
  }
}
