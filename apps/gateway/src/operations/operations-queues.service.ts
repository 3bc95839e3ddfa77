import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { bullPrefix, QueueNames, type QueueName, type QueueFailures } from '@ecert/contracts';
import { ServiceMetrics } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';

/** The job states counted for metrics and shown as failures (a failed job is BullMQ's dead letter). */
export const COUNTED_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/**
 * Every BullMQ queue of the platform, by name (libs/contracts QueueNames), whichever service runs
 * its workers: the gateway only looks at them (Bull Board, queue depths, failed jobs). Opened on
 * first use, so a gateway that nobody asks about queues holds no extra Redis connections.
 */
@Injectable()
export class OperationsQueues implements OnModuleInit, OnApplicationShutdown {
  private opened?: Map<QueueName, Queue>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    ServiceMetrics.of('gateway').scrapedGauge('ecert_queue_jobs', 'BullMQ jobs by queue and state (failed = dead letters)', ['queue', 'state'], async (g) => {
      for (const c of (await this.counts()).answered) for (const s of COUNTED_STATES) g.set({ queue: c.queue, state: s }, c.counts[s] ?? 0);
    });
  }

  all(): Map<QueueName, Queue> {
    if (!this.opened) {
      const connection = { url: this.config.REDIS_URL, maxRetriesPerRequest: 1, commandTimeout: this.config.REDIS_COMMAND_TIMEOUT_MS };
      const prefix = bullPrefix(this.config.ECERT_REDIS_PREFIX);
      this.opened = new Map(
        Object.values(QueueNames).map((name) => {
          const q = new Queue(name, { connection, prefix });
          q.on('error', (e) => this.logger.warn({ queue: name, err: e.message }, 'queue connection error'));
          return [name, q] as const;
        }),
      );
    }
    return this.opened;
  }

  /** Job counts of every queue; a queue Redis does not answer for in time is named in `unanswered` (and logged). */
  async counts(): Promise<{ answered: { queue: QueueName; counts: Record<string, number> }[]; unanswered: QueueName[] }> {
    const out = await Promise.all(
      [...this.all()].map(async ([queue, q]) => {
        try {
          return { queue, counts: await withDeadline(q.getJobCounts(...COUNTED_STATES), this.config.REDIS_COMMAND_TIMEOUT_MS) };
        } catch (e) {
          this.logger.warn({ queue, err: (e as Error).message }, 'queue counts unavailable');
          return { queue, counts: undefined };
        }
      }),
    );
    return {
      answered: out.flatMap((c) => (c.counts ? [{ queue: c.queue, counts: c.counts }] : [])),
      unanswered: out.flatMap((c) => (c.counts ? [] : [c.queue])),
    };
  }

  /**
   * Failed jobs BullMQ holds per queue. A queue Redis did not answer for makes the whole answer
   * unavailable (it throws): a partial list would read as "no failures" where nobody looked.
   */
  async failures(): Promise<QueueFailures[]> {
    const { answered, unanswered } = await this.counts();
    if (unanswered.length > 0) throw new Error(`Redis did not answer for the queues ${unanswered.join(', ')}`);
    return answered.map((c) => ({ queue: c.queue, failed: c.counts.failed ?? 0 }));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...(this.opened?.values() ?? [])].map((q) => q.close().catch(() => undefined)));
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
