import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { CalendarYearOverride } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { ChineseWorkingCalendar, shanghaiDate } from '@ecert/workflow';
import { CalendarOverrideEntity } from '../applications/entities/calendar-override.entity';

const RELOAD_MS = 60_000;

/**
 * The working-day calendar every deadline is counted in: the maintained package plus the years
 * operators loaded (the State Council's notice, before the package has it). Reloaded after a put
 * and every minute, so every instance counts alike; warns while a needed year is missing.
 */
@Injectable()
export class WorkingCalendarProvider implements OnApplicationBootstrap, OnApplicationShutdown {
  private current = new ChineseWorkingCalendar();
  private loaded: CalendarYearOverride[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch((e) => this.logger.warn({ err: (e as Error).message }, 'calendar reload failed')), RELOAD_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  calendar(): ChineseWorkingCalendar {
    return this.current;
  }

  /** This year and the next: deadlines of applications accepted now can reach into it. */
  neededYears(now = new Date()): number[] {
    const y = Number(shanghaiDate(now).slice(0, 4));
    return [y, y + 1];
  }

  async reload(): Promise<void> {
    const rows = await this.ds.getRepository(CalendarOverrideEntity).find();
    const overrides: CalendarYearOverride[] = rows.map((r) => ({ year: r.year, holidays: r.holidays, workdays: r.workdays, ...(r.source ? { source: r.source } : {}) }));
    const next = new ChineseWorkingCalendar(overrides);
    const missing = next.status(this.neededYears()).missingYears;
    if (missing.length && missing.join() !== this.current.status(this.neededYears()).missingYears.join() || (missing.length && !this.warned)) {
      this.logger.warn({ missingYears: missing }, 'working-day calendar does not know these years: load an override (PUT /api/v1/calendar/{year}) from the State Council notice');
      this.warned = true;
    }
    this.current = next;
    this.loaded = overrides;
  }

  /** The operators' overrides the calendar was built from (for services that count working days themselves). */
  overrides(): CalendarYearOverride[] {
    return this.loaded;
  }

  private warned = false;
}
