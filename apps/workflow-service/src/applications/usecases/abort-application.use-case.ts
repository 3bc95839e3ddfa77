import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { ApplicationView, WithdrawApplicationCommand } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkingCalendarProvider } from '../../sla/working-calendar.provider';
import { refreshDueColumns } from '../../sla/application-deadline';
import { startPhase } from '../../fulfilment/fulfilment-engine';
import { FulfilmentRunner } from '../../fulfilment/fulfilment-runner.service';
import { reasonOf } from '../application-input';

const ABORTABLE = new Set(['needs_attention', 'awaiting_production']);

/**
 * An administrator gives up an application that cannot be carried out (a step that will never
 * succeed, a UKey that cannot be produced). The certificate it issued, if any, is revoked — its
 * seals follow — so nothing half-made stays trusted; the certificate it was to replace is left as
 * it is (replacements revoke it only once they exist). The application closes as withdrawn.
 */
@Injectable()
export class AbortApplicationUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly views: ApplicationViewMapper,
    private readonly calendar: WorkingCalendarProvider,
    private readonly runner: FulfilmentRunner,
  ) {}

  async execute(cmd: WithdrawApplicationCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const reason = reasonOf(cmd?.reason, 'an abort');
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      if (!ABORTABLE.has(app.status)) throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is ${app.status}; only one that needs attention or awaits production is aborted`);
      const now = new Date();
      // The steps still waiting are not carried out any more.
      await m.query(`UPDATE "workflow"."application_step" SET status = 'compensated', next_attempt_at = NULL, updated_at = now() WHERE application_id = $1 AND status IN ('pending', 'running')`, [id]);
      app.status = 'withdrawn';
      app.tier = null;
      app.closedAt = now;
      touch(app, now);
      await journal(m, app, 'aborted', actorRef(actor), { reason }, 'application.withdrawn');
      if (app.results.certificateSerial && app.results.certificateSerial !== app.targetSerial) await startPhase(m, app, 'abort', ['revoke_issued'], now);
      refreshDueColumns(app, this.calendar.calendar(), now);
      await m.save(app);
      return this.views.load(m, app);
    });
    this.relay.kick();
    this.runner.kick(id);
    return view;
  }
}
