import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { bullPrefix, QueueNames } from '@ecert/contracts';
import { CONFIG, LOGGER } from '@ecert/messaging';
import { PurgeExpiredDocumentsUseCase } from './purge-expired-documents.use-case';

/** Retention is counted in days: an hourly sweep purges a document at most an hour late. */
export const RETENTION_SWEEP_EVERY_MS = 3_600_000;

/**
 * Runs the retention sweep (PurgeExpiredDocumentsUseCase) on a BullMQ job scheduler: one
 * repeatable job for every seal-service instance (the scheduler id is shared), one worker at a
 * time per instance; rows are taken SKIP LOCKED, so instances never purge the same chunk.
 */
@Injectable()
export class DocumentRetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly purge: PurgeExpiredDocumentsUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const connection = { url: this.config.REDIS_URL, maxRetriesPerRequest: null };
    const prefix = bullPrefix(this.config.ECERT_REDIS_PREFIX);
    this.queue = new Queue(QueueNames.documentRetention, { connection, prefix });
    this.queue.on('error', (e) => this.logger.warn({ err: e.message }, 'document retention queue error'));
    await this.queue.upsertJobScheduler('document-retention-sweep', { every: RETENTION_SWEEP_EVERY_MS }, { name: 'sweep' });
    this.worker = new Worker(QueueNames.documentRetention, () => this.purge.execute({ now: new Date() }), { connection, prefix, concurrency: 1 });
    this.worker.on('error', (e) => this.logger.warn({ err: e.message }, 'document retention worker error'));
    this.worker.on('failed', (_job, e) => this.logger.error({ err: e.message }, 'document retention sweep failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    const bounded = (p: Promise<unknown> | undefined) => Promise.race([p, new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(this.worker?.close(true));
    await bounded(this.queue?.close());
  }
}
