import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, scopeAllows } from '@ecert/common';
import type { ApplicationView, WithdrawApplicationCommand } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { actorRef, currentActor } from '../application-actor';
import { assertMaySee } from '../application-access';
import { journal } from '../application-journal';
import { applicationIdOf, hasActiveSteps, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkingCalendarProvider } from '../../sla/working-calendar.provider';
import { refreshDueColumns } from '../../sla/application-deadline';
import { reasonOf } from '../application-input';

const WITHDRAWABLE = new Set(['draft', 'returned', 'under_review']);

/**
 * Before approval, an application can be withdrawn by whoever filed it, or cancelled by staff of
 * its region (a draft left lying, a return never answered). Nothing it did on acceptance is
 * undone: a report of loss withdrawn leaves the key frozen until a restore says it was found.
 */
@Injectable()
export class WithdrawApplicationUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly views: ApplicationViewMapper,
    private readonly calendar: WorkingCalendarProvider,
  ) {}

  async execute(cmd: WithdrawApplicationCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const reason = reasonOf(cmd?.reason, 'a withdrawal');
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      assertMaySee(actor, app);
      const filer = actor.clientId ? app.filedByClient === actor.clientId : app.filedByStaff === actor.staffId;
      const staffOfRegion = !!actor.staffId && scopeAllows({ regions: [...actor.regions] }, app.regionCode);
      if (!filer && !staffOfRegion) throw new ProblemError(403, ProblemCode.forbidden, '无权撤回 (not permitted to withdraw)', 'an application is withdrawn by its filer or cancelled by staff of its region');
      if (!WITHDRAWABLE.has(app.status)) throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is ${app.status}; only one not yet approved is withdrawn`);
      if (await hasActiveSteps(m, id)) throw ProblemError.conflict('steps_pending', `application ${id} is still carrying out its acceptance steps`);
      const now = new Date();
      app.status = 'withdrawn';
      app.tier = null;
      app.closedAt = now;
      app.pauses = app.pauses.map((p) => (p.to ? p : { ...p, to: now.toISOString() }));
      touch(app, now);
      refreshDueColumns(app, this.calendar.calendar(), now);
      await m.save(app);
      await journal(m, app, filer ? 'withdrawn' : 'cancelled', actorRef(actor), { reason }, 'application.withdrawn');
      return this.views.load(m, app);
    });
    this.relay.kick();
    return view;
  }
}
