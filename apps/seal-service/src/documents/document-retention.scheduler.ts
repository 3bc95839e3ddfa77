import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { CONFIG, JobQueue, LOGGER } from '@ecert/messaging';
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
  private jobs?: JobQueue;

  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly purge: PurgeExpiredDocumentsUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.jobs = JobQueue.open(this.logger, {
      name: QueueNames.documentRetention,
      redisUrl: this.config.REDIS_URL,
      redisPrefix: this.config.ECERT_REDIS_PREFIX,
      label: 'document retention',
      processor: () => this.purge.execute({ now: new Date() }),
    });
    await this.jobs.schedule('document-retention-sweep', { every: RETENTION_SWEEP_EVERY_MS }, { name: 'sweep' });
    this.jobs.worker.on('failed', (_job, e) => this.logger.error({ err: e.message }, 'document retention sweep failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close(true);
  }
}
