import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE, JobQueue, LOGGER } from '@ecert/messaging';
import { InvalidationRunEntity } from './invalidation-run.entity';
import { InvalidationRunner } from './invalidation-runner.service';

/** A queued run (operator) names its record; the schedule's jobs make theirs when they start. */
export type InvalidationJobData = { runId: string } | { trigger: 'schedule' };

/**
 * The invalidation queue (QueueNames.invalidation): the BullMQ job scheduler starts a real run on
 * ECERT_INVALIDATION_CRON, operators queue dry or real runs. One run at a time per instance; runs
 * of several instances cannot collide (each chunk skips rows another holds).
 */
@Injectable()
export class InvalidationJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private jobs?: JobQueue<InvalidationJobData>;

  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly runner: InvalidationRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.jobs = JobQueue.open<InvalidationJobData>(this.logger, {
      name: QueueNames.invalidation,
      redisUrl: this.config.REDIS_URL,
      redisPrefix: this.config.ECERT_REDIS_PREFIX,
      label: 'invalidation',
      processor: (job) => this.process(job),
      defaultJobOptions: { removeOnComplete: 100, removeOnFail: 100 },
    });
    if (this.config.ECERT_INVALIDATION_CRON === 'off') await this.jobs.unschedule('invalidation-scheduled');
    else await this.jobs.schedule('invalidation-scheduled', { pattern: this.config.ECERT_INVALIDATION_CRON, tz: 'Asia/Shanghai' }, { name: 'scheduled', data: { trigger: 'schedule' } });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }

  async enqueue(runId: string): Promise<void> {
    await this.jobs!.queue.add('operator', { runId }, { jobId: runId });
  }

  private async process(job: Job<InvalidationJobData>): Promise<void> {
    const repo = this.ds.getRepository(InvalidationRunEntity);
    let run: InvalidationRunEntity;
    if ('runId' in job.data) run = await repo.findOneByOrFail({ id: job.data.runId });
    else {
      const now = new Date();
      run = repo.create({ id: randomUUID(), dryRun: false, trigger: 'schedule', requestedBy: null, requestedByClient: null, requestId: `invalidation-schedule:${job.id}`, asOf: now, queuedAt: now });
      await repo.insert(run);
    }
    if (run.finishedAt) return;
    await repo.update({ id: run.id }, { startedAt: new Date() });
    try {
      const counts = run.dryRun
        ? await this.runner.dryRun(run.asOf)
        : await this.runner.run(run.asOf, {
            requestId: run.requestId ?? `invalidation-run:${run.id}`,
            actor: run.requestedBy || run.requestedByClient ? { staffId: run.requestedBy, clientId: run.requestedByClient } : null,
            // Saved after every chunk: a run that fails part-way still says what it did.
            onChunk: (_r, _n, sofar) => repo.update({ id: run.id }, { counts: sofar, total: sofar.reduce((n, c) => n + c.count, 0) }).then(() => undefined),
          });
      await repo.update({ id: run.id }, { finishedAt: new Date(), counts, total: counts.reduce((n, c) => n + c.count, 0), error: null });
    } catch (e) {
      this.logger.error({ runId: run.id, err: (e as Error).message }, '第二十条 invalidation run failed');
      // counts/total stay as the last committed chunk left them.
      await repo.update({ id: run.id }, { finishedAt: new Date(), error: (e as Error).message });
    }
  }
}
