import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { CONFIG, JobQueue, LOGGER } from '@ecert/messaging';
import { ReminderRunner, type ReminderRunResult } from './reminder-runner.service';
import { WorkingCalendarClient } from './working-calendar.client';

/**
 * The reminders queue (QueueNames.reminders): the BullMQ job scheduler looks for renewal windows
 * opened and certificates expired on ECERT_REMINDERS_CRON. A failed run (the workflow-service's
 * calendar out of reach) is retried with backoff; the marks make a retry send nothing twice.
 */
@Injectable()
export class ReminderJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private jobs?: JobQueue;

  constructor(
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly runner: ReminderRunner,
    private readonly calendar: WorkingCalendarClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.jobs = JobQueue.open(this.logger, {
      name: QueueNames.reminders,
      redisUrl: this.config.REDIS_URL,
      redisPrefix: this.config.ECERT_REDIS_PREFIX,
      label: 'reminders',
      processor: () => this.runOnce(),
    });
    if (this.config.ECERT_REMINDERS_CRON === 'off') await this.jobs.unschedule('reminders-scheduled');
    else {
      await this.jobs.schedule(
        'reminders-scheduled',
        { pattern: this.config.ECERT_REMINDERS_CRON, tz: 'Asia/Shanghai' },
        { name: 'scheduled', opts: { attempts: 5, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: 100, removeOnFail: 100 } },
      );
    }
  }

  async runOnce(now = new Date()): Promise<ReminderRunResult> {
    const result = await this.runner.run(now, await this.calendar.calendar());
    this.logger.info(result, 'renewal reminders and expiry events written');
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }
}
