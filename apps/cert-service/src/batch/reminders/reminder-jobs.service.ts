import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { bullPrefix, QueueNames } from '@ecert/contracts';
import { CONFIG, LOGGER } from '@ecert/messaging';
import { ReminderRunner, type ReminderRunResult } from './reminder-runner.service';
import { WorkingCalendarClient } from './working-calendar.client';

/**
 * The reminders queue (QueueNames.reminders): the BullMQ job scheduler looks for renewal windows
 * opened and certificates expired on ECERT_REMINDERS_CRON. A failed run (the workflow-service's
 * calendar out of reach) is retried with backoff; the marks make a retry send nothing twice.
 */
@Injectable()
export class ReminderJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly runner: ReminderRunner,
    private readonly calendar: WorkingCalendarClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const connection = { url: this.config.REDIS_URL, maxRetriesPerRequest: null };
    const prefix = bullPrefix(this.config.ECERT_REDIS_PREFIX);
    this.queue = new Queue(QueueNames.reminders, { connection, prefix });
    this.queue.on('error', (e) => this.logger.warn({ err: e.message }, 'reminders queue error'));
    if (this.config.ECERT_REMINDERS_CRON === 'off') await this.queue.removeJobScheduler('reminders-scheduled');
    else {
      await this.queue.upsertJobScheduler(
        'reminders-scheduled',
        { pattern: this.config.ECERT_REMINDERS_CRON, tz: 'Asia/Shanghai' },
        { name: 'scheduled', opts: { attempts: 5, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: 100, removeOnFail: 100 } },
      );
    }
    this.worker = new Worker(QueueNames.reminders, () => this.runOnce(), { connection, prefix, concurrency: 1 });
    this.worker.on('error', (e) => this.logger.warn({ err: e.message }, 'reminders worker error'));
  }

  async runOnce(now = new Date()): Promise<ReminderRunResult> {
    const result = await this.runner.run(now, await this.calendar.calendar());
    this.logger.info(result, 'renewal reminders and expiry events written');
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
