import { Inject, Injectable } from '@nestjs/common';
import { In, IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import { ProblemError } from '@ecert/common';
import type { ApplicationIdCommand, ApplicationView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { missingMaterials, requiredMaterials, routeOf, submitTransition } from '@ecert/workflow';
import { ApplicationEntity } from '../entities/application.entity';
import { ApplicationMaterialEntity } from '../entities/application-material.entity';
import { actorRef, currentActor } from '../application-actor';
import { assertMaySee } from '../application-access';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkingCalendarProvider } from '../../sla/working-calendar.provider';
import { refreshDueColumns } from '../../sla/application-deadline';
import { startPhase } from '../../fulfilment/fulfilment-engine';
import { FulfilmentRunner } from '../../fulfilment/fulfilment-runner.service';

/**
 * Into review: a draft with every required material is accepted at the first tier of its route
 * (the SLA clock starts); a returned one goes back to the tier that returned it (the clock runs
 * again). A report of loss freezes the certificate now, before anyone reviews it.
 */
@Injectable()
export class SubmitApplicationUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly views: ApplicationViewMapper,
    private readonly calendar: WorkingCalendarProvider,
    private readonly runner: FulfilmentRunner,
  ) {}

  async execute(cmd: ApplicationIdCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const startedSteps = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      assertMaySee(actor, app);
      const materials = await m.findBy(ApplicationMaterialEntity, { applicationId: id });
      const required = requiredMaterials(app.type, { changes: app.details.changes, sealsRequested: app.seals.length });
      const missing = missingMaterials(required, materials, app.status === 'returned' ? app.returned : null);
      const t = submitTransition(app.status, app.route, app.returned?.tier);
      if (missing.length) {
        throw new ProblemError(422, 'materials_missing', '材料不齐 (materials missing)', `still missing: ${missing.join(', ')}`, 'materials', { missing });
      }
      if (!t.resubmitted) await assertNothingElseOpen(m, app);
      const now = new Date();
      if (t.resubmitted) {
        app.pauses = app.pauses.map((p) => (p.to ? p : { ...p, to: now.toISOString() }));
        app.returned = null;
      } else {
        app.acceptedAt = now;
      }
      app.status = t.status;
      app.tier = t.tier;
      app.tierEnteredAt = now;
      touch(app, now);
      const onAcceptance = t.resubmitted ? [] : routeOf(app.type, app.channel)!.onAcceptance;
      if (onAcceptance.length) await startPhase(m, app, 'acceptance', onAcceptance, now);
      refreshDueColumns(app, this.calendar.calendar(), now);
      try {
        await m.save(app);
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw new ProblemError(409, 'application_already_open', '已有办理中的申请 (application already in progress)', `certificate ${app.targetSerial} already has an application in progress`, 'targetSerial');
        throw e;
      }
      await journal(m, app, t.resubmitted ? 'resubmitted' : 'submitted', actorRef(actor), { tier: t.tier }, t.resubmitted ? 'application.resubmitted' : 'application.submitted');
      return onAcceptance.length > 0;
    });
    this.relay.kick();
    // A lost key stops being trusted before this answer: the freeze is sent now and awaited (bounded).
    if (startedSteps) await this.runner.runDueNow(id);
    return this.views.load(this.ds.manager, await this.ds.manager.findOneByOrFail(ApplicationEntity, { id }));
  }
}

/**
 * One application in progress per account for a first certificate, and per target certificate for
 * the lifecycle types (the unique index; a report of loss is never held up). Counted from
 * submission: a draft nobody submits blocks nothing.
 */
async function assertNothingElseOpen(m: EntityManager, app: ApplicationEntity): Promise<void> {
  if (app.type !== 'apply') return;
  await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`application:${app.uscc}:${app.accountNo}`]);
  const open = await m.count(ApplicationEntity, { where: { uscc: app.uscc, accountNo: app.accountNo, type: 'apply', closedAt: IsNull(), status: Not(In(['draft'])), id: Not(app.id) } });
  if (open > 0) {
    throw new ProblemError(409, 'application_already_open', '已有办理中的申请 (application already in progress)', `an application for a first certificate of account ${app.accountNo} is already in progress; a further certificate is an additional application (第九条)`, 'unit.accountNo');
  }
}
