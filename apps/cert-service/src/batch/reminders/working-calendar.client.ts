import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { requestContext, type EcertConfig } from '@ecert/common';
import { Subjects, type CalendarYearOverride } from '@ecert/contracts';
import { BUS_IDENTITY, BusRpcClient, CONFIG, type BusIdentity } from '@ecert/messaging';
import { ChineseWorkingCalendar } from '@ecert/workflow';

const CACHE_MS = 10 * 60_000;

/**
 * The working-day calendar the reminders count in: libs/workflow's (the maintained package) with
 * the operators' overrides, asked of the workflow-service over the bus, which keeps them (the
 * cert-service never reads another service's schema). When it cannot be asked the run fails and
 * is retried: a reminder counted on a calendar missing an override could come days early or late.
 */
@Injectable()
export class WorkingCalendarClient implements OnApplicationShutdown {
  private readonly bus: BusRpcClient;
  private cached?: { at: number; calendar: ChineseWorkingCalendar };

  constructor(@Inject(CONFIG) config: EcertConfig, @Inject(BUS_IDENTITY) identity: BusIdentity) {
    this.bus = new BusRpcClient(config, identity, 'cert-service-calendar-client');
  }

  async calendar(now = Date.now()): Promise<ChineseWorkingCalendar> {
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.calendar;
    const overrides = await requestContext.run({ requestId: `cert-service-calendar-${now.toString(36)}` }, () =>
      this.bus.call<CalendarYearOverride[]>(Subjects.workflow.calendarOverrides, {}, { service: 'workflow' }),
    );
    const calendar = new ChineseWorkingCalendar(overrides);
    this.cached = { at: now, calendar };
    return calendar;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
