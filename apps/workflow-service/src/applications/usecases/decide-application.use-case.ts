import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, scopeAllows } from '@ecert/common';
import { DECISIONS, MATERIAL_KINDS, type ApplicationView, type DecideApplicationCommand, type MaterialKind, type ReviewTier } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { allowedMaterials, assertMayDecide, decisionTransition, isClosed, routeOf, TIER_ROLE } from '@ecert/workflow';
import { ApplicationDecisionEntity } from '../entities/application-decision.entity';
import { ApplicationMaterialEntity } from '../entities/application-material.entity';
import { ApplicationStepEntity } from '../entities/application-step.entity';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, hasActiveSteps, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkingCalendarProvider } from '../../sla/working-calendar.provider';
import { refreshDueColumns } from '../../sla/application-deadline';
import { startPhase } from '../../fulfilment/fulfilment-engine';
import { FulfilmentRunner } from '../../fulfilment/fulfilment-runner.service';
import { bad } from '../application-input';


interface ValidDecision {
  decision: DecideApplicationCommand['decision'];
  reason?: string;
  missing?: MaterialKind[];
  justificationAccepted?: boolean;
  nonHumanCause?: boolean;
  expectedVersion?: number;
}

function validate(cmd: DecideApplicationCommand): ValidDecision {
  if (!(DECISIONS as readonly unknown[]).includes(cmd?.decision)) throw bad('decision', `decision must be one of ${DECISIONS.join(', ')}`);
  const out: ValidDecision = { decision: cmd.decision };
  if (cmd.reason !== undefined && cmd.reason !== null) {
    if (typeof cmd.reason !== 'string') throw bad('reason', 'reason must be a string');
    const r = cmd.reason.normalize('NFKC').trim();
    if (r.length > 1000 || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(r)) throw bad('reason', 'reason must be at most 1000 characters without control characters');
    if (r) out.reason = r;
  }
  // 第十条: the applicant is told the concrete reason.
  if (cmd.decision !== 'approve' && !out.reason) throw bad('reason', `a ${cmd.decision === 'reject' ? 'rejection' : 'return for supplement'} states its reason (第十条)`);
  if (cmd.missing !== undefined) {
    if (cmd.decision !== 'return') throw bad('missing', 'missing materials are listed only when returning for supplement');
    if (!Array.isArray(cmd.missing) || cmd.missing.length > MATERIAL_KINDS.length) throw bad('missing', 'missing must be a list of material kinds');
    cmd.missing.forEach((k, i) => {
      if (!(MATERIAL_KINDS as readonly unknown[]).includes(k)) throw bad(`missing[${i}]`, `material kinds are ${MATERIAL_KINDS.join(', ')}`);
    });
    out.missing = [...new Set(cmd.missing)];
  }
  if (cmd.justificationAccepted !== undefined) {
    if (typeof cmd.justificationAccepted !== 'boolean') throw bad('justificationAccepted', 'justificationAccepted must be true or false');
    out.justificationAccepted = cmd.justificationAccepted;
  }
  if (cmd.nonHumanCause !== undefined) {
    if (typeof cmd.nonHumanCause !== 'boolean') throw bad('nonHumanCause', 'nonHumanCause must be true or false');
    out.nonHumanCause = cmd.nonHumanCause;
  }
  if (cmd.expectedVersion !== undefined) {
    if (!Number.isInteger(cmd.expectedVersion) || cmd.expectedVersion < 1) throw bad('expectedVersion', 'expectedVersion must be a positive integer');
    out.expectedVersion = cmd.expectedVersion;
  }
  return out;
}

/**
 * A reviewer's decision at the application's current tier: approve (on to the next tier, or into
 * production after the last), reject with the reason the applicant is told, or return it for
 * supplement listing what is missing (the clock stops). Decisions on one application serialise on
 * its row: of two at once, one wins and the other is a 409.
 */
@Injectable()
export class DecideApplicationUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly views: ApplicationViewMapper,
    private readonly calendar: WorkingCalendarProvider,
    private readonly runner: FulfilmentRunner,
  ) {}

  async execute(cmd: DecideApplicationCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const d = validate(cmd);
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      // Scope before anything about the application's state: staff of other regions learn nothing of it.
      if (!scopeAllows({ regions: [...actor.regions] }, app.regionCode)) {
        throw new ProblemError(403, ProblemCode.forbidden, '超出管辖区域 (outside your region)', `application ${id} is outside your region`);
      }
      if (isClosed(app.status)) throw ProblemError.conflict('application_closed', `application ${id} is ${app.status}; no further decision is possible`);
      if (d.expectedVersion !== undefined && d.expectedVersion !== app.version) {
        throw ProblemError.conflict(ProblemCode.concurrentModification, `application ${id} changed since version ${d.expectedVersion} (now ${app.version})`, { version: app.version });
      }
      // Someone of the same tier decided first: this decision came too late.
      const ownTier = (Object.entries(TIER_ROLE).find(([, role]) => role === actor.role)?.[0] ?? undefined) as ReviewTier | undefined;
      if (app.status !== 'under_review' || (ownTier && app.tier && app.route.indexOf(ownTier) >= 0 && app.route.indexOf(ownTier) < app.route.indexOf(app.tier))) {
        throw ProblemError.conflict('already_decided', `application ${id} was already decided at this tier; it is now ${app.status}${app.tier ? ` at the ${app.tier} tier` : ''}`);
      }
      const decisions = await m.find(ApplicationDecisionEntity, { where: { applicationId: id }, order: { decidedAt: 'ASC' } });
      const tier = assertMayDecide(actor, { regionCode: app.regionCode, tier: app.tier ?? undefined, filedByStaffId: app.filedByStaff, decidedBy: decisions.map((x) => ({ tier: x.tier, staffId: x.staffId })) });
      if (await hasActiveSteps(m, id)) throw ProblemError.conflict('steps_pending', `application ${id} is still carrying out its acceptance steps (e.g. the freeze); decide when they are done`);
      if (app.type === 'additional' && d.decision === 'approve' && d.justificationAccepted !== true) {
        throw bad('justificationAccepted', '第九条: approving an additional certificate means accepting its justification; set justificationAccepted to true');
      }
      // 第十八条: the own office's review finds the damage not caused by the user before a replacement under warranty.
      if (app.type === 'medium_replacement' && d.decision === 'approve' && tier === 'city' && d.nonHumanCause !== true) {
        throw bad('nonHumanCause', '第十八条: approving a medium replacement records that the damage was not caused by the user; set nonHumanCause to true, or reject');
      }
      if (d.missing) {
        const allowed = allowedMaterials(app.type, { changes: app.details.changes, sealsRequested: app.seals.length });
        const foreign = d.missing.find((k) => !allowed.includes(k));
        if (foreign) throw bad('missing', `a ${app.type} application takes ${allowed.join(', ')}; ${foreign} cannot be supplemented`);
      }
      const outcome = decisionTransition(app.status, app.tier ?? undefined, app.route, d.decision);
      const materials = await m.find(ApplicationMaterialEntity, { where: { applicationId: id }, order: { attachedAt: 'ASC' } });
      const now = new Date();
      await m.insert(ApplicationDecisionEntity, {
        id: randomUUID(),
        applicationId: id,
        tier,
        decision: d.decision,
        reason: d.reason ?? null,
        missing: d.missing ?? null,
        staffId: actor.staffId ?? null,
        clientId: actor.clientId ?? null,
        role: actor.role ?? null,
        materialsSeen: materials.map((x) => `${x.kind}:${x.sha256}`),
        decidedAt: now,
      });
      const route = routeOf(app.type, app.channel)!;
      const by = actorRef(actor);
      const detail = { tier, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}), ...(d.missing ? { missing: d.missing } : {}) };
      app.status = outcome.status;
      touch(app, now);
      if (d.justificationAccepted) app.details = { ...app.details, justificationAccepted: true };
      if (d.nonHumanCause && app.type === 'medium_replacement') app.details = { ...app.details, nonHumanCause: true };
      if (d.decision === 'reject') {
        app.tier = null;
        app.closedAt = now;
        app.rejection = { reason: d.reason!, tier, at: now.toISOString() };
        await journal(m, app, 'rejected', by, detail, 'application.rejected');
        // Undo only what this application did: a freeze it found already in place (staff froze the
        // certificate for another reason) is not lifted by rejecting this report.
        const accepted = await m.find(ApplicationStepEntity, { where: { applicationId: id, phase: 'acceptance', status: 'done' } });
        const causedHere = accepted.some((st) => st.result?.alreadyDone !== true);
        if (route.onRejection.length && causedHere) await startPhase(m, app, 'rejection', route.onRejection, now);
        else if (route.onRejection.length) await journal(m, app, 'compensation_skipped', by, { reason: 'the acceptance steps found their effect already in place' });
      } else if (d.decision === 'return') {
        app.pauses = [...app.pauses, { from: now.toISOString() }];
        app.returned = { reason: d.reason!, missing: d.missing ?? [], tier, at: now.toISOString() };
        await journal(m, app, 'returned', by, detail, 'application.returned');
      } else if (!outcome.approved) {
        app.tier = outcome.tier!;
        app.tierEnteredAt = now;
        await journal(m, app, 'forwarded', by, { ...detail, to: outcome.tier }, 'application.forwarded');
      } else {
        app.tier = null;
        await journal(m, app, 'approved', by, detail, 'application.approved');
        await startPhase(m, app, 'fulfilment', route.fulfilment, now);
      }
      refreshDueColumns(app, this.calendar.calendar(), now);
      await m.save(app);
      return this.views.load(m, app);
    });
    this.relay.kick();
    this.runner.kick(id);
    return view;
  }
}
