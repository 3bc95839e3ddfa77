import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { CalendarStatusView, CalendarYearOverride } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { CalendarOverrideError, validateCalendarOverride } from '@ecert/workflow';
import { CalendarOverrideEntity } from '../applications/entities/calendar-override.entity';
import { WorkingCalendarProvider } from './working-calendar.provider';

/**
 * An operator loads a year of holidays and adjusted working days (the State Council's notice)
 * before the calendar package knows it; it replaces the package for that year. Deadlines already
 * stored are recomputed as their applications next change; views count with it at once.
 */
@Injectable()
export class PutCalendarYearUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly provider: WorkingCalendarProvider,
  ) {}

  async execute(input: CalendarYearOverride): Promise<CalendarStatusView> {
    let o: CalendarYearOverride;
    try {
      o = validateCalendarOverride(input);
    } catch (e) {
      if (e instanceof CalendarOverrideError) throw ProblemError.badRequest(ProblemCode.validationFailed, e.field, e.message);
      throw e;
    }
    const by = requestContext.getStore()?.actor ?? null;
    await this.ds.getRepository(CalendarOverrideEntity).upsert(
      { year: o.year, holidays: o.holidays, workdays: o.workdays, source: o.source ?? null, loadedBy: by, loadedAt: new Date() },
      ['year'],
    );
    await this.provider.reload();
    return this.status();
  }

  status(): CalendarStatusView {
    return this.provider.calendar().status(this.provider.neededYears());
  }

  overrides(): CalendarYearOverride[] {
    return this.provider.overrides();
  }
}
