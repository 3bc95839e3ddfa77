import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { ActivityKind } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { type ActivityEntry, writeActivity } from './activity-writer';

/** How long activity waits in memory at most, and how many certificates make a flush at once. */
export const ACTIVITY_FLUSH_MS = 2_000;
export const ACTIVITY_FLUSH_SIZE = 2_000;

/**
 * Activity seen on hot paths (certificate login, unlock) is kept in memory, latest per
 * certificate, and written in one statement per flush instead of one write per request. A crash
 * loses at most the last ACTIVITY_FLUSH_MS of it: against a two-year rule that moves a
 * certificate's last activity back by seconds, never makes a used one look idle.
 */
@Injectable()
export class ActivityBuffer implements BeforeApplicationShutdown {
  private pending = new Map<string, ActivityEntry>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  record(serial: string, kind: ActivityKind, at = new Date()): void {
    const seen = this.pending.get(serial);
    if (!seen || seen.at < at) this.pending.set(serial, { serial, at, kind });
    if (this.pending.size >= ACTIVITY_FLUSH_SIZE) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), ACTIVITY_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is pending (also what tests and shutdown call). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      if (!batch.size) return;
      try {
        await writeActivity(this.ds, batch.values());
      } catch (e) {
        // Put it back (newer entries recorded meanwhile win) and try again later.
        for (const entry of batch.values()) if (!this.pending.has(entry.serial)) this.pending.set(entry.serial, entry);
        this.logger.warn({ err: (e as Error).message, certificates: batch.size }, 'activity flush failed; will retry');
        if (!this.timer) {
          this.timer = setTimeout(() => void this.flush(), ACTIVITY_FLUSH_MS);
          this.timer.unref();
        }
      }
    });
    return this.flushing;
  }

  /** Before the shutdown hooks close the database. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
