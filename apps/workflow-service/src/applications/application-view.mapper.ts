import { Inject, Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { ApplicationView } from '@ecert/contracts';
import { missingMaterials, requiredMaterials } from '@ecert/workflow';
import { WorkingCalendarProvider } from '../sla/working-calendar.provider';
import { deadlineOf } from '../sla/application-deadline';
import { ApplicationEntity } from './entities/application.entity';
import { ApplicationMaterialEntity } from './entities/application-material.entity';
import { ApplicationDecisionEntity } from './entities/application-decision.entity';
import { ApplicationStepEntity } from './entities/application-step.entity';
import { ApplicationTimelineEntity } from './entities/application-timeline.entity';

/** An application as callers see it: the form, its checklist, decisions, steps, deadline and timeline. */
@Injectable()
export class ApplicationViewMapper {
  constructor(@Inject(WorkingCalendarProvider) private readonly calendar: WorkingCalendarProvider) {}

  async load(m: EntityManager, app: ApplicationEntity): Promise<ApplicationView> {
    // One after another: `m` is often a transaction's manager, one connection that must not be
    // given concurrent queries (pg warns now and will refuse).
    const materials = await m.find(ApplicationMaterialEntity, { where: { applicationId: app.id }, order: { attachedAt: 'ASC' } });
    const decisions = await m.find(ApplicationDecisionEntity, { where: { applicationId: app.id }, order: { decidedAt: 'ASC' } });
    const steps = await m.find(ApplicationStepEntity, { where: { applicationId: app.id }, order: { seq: 'ASC' } });
    const timeline = await m.find(ApplicationTimelineEntity, { where: { applicationId: app.id }, order: { id: 'ASC' } });
    return this.toView(app, materials, decisions, steps, timeline);
  }

  /** A page of applications in three queries (not three per application): lists carry no timeline. */
  async loadMany(m: EntityManager, apps: ApplicationEntity[]): Promise<ApplicationView[]> {
    if (!apps.length) return [];
    const ids = In(apps.map((a) => a.id));
    const materials = await m.find(ApplicationMaterialEntity, { where: { applicationId: ids }, order: { attachedAt: 'ASC' } });
    const decisions = await m.find(ApplicationDecisionEntity, { where: { applicationId: ids }, order: { decidedAt: 'ASC' } });
    const steps = await m.find(ApplicationStepEntity, { where: { applicationId: ids }, order: { seq: 'ASC' } });
    const of = <T extends { applicationId: string }>(rows: T[], id: string) => rows.filter((r) => r.applicationId === id);
    return apps.map((a) => this.toView(a, of(materials, a.id), of(decisions, a.id), of(steps, a.id), []));
  }

  toView(
    app: ApplicationEntity,
    materials: ApplicationMaterialEntity[],
    decisions: ApplicationDecisionEntity[],
    steps: ApplicationStepEntity[],
    timeline: ApplicationTimelineEntity[],
  ): ApplicationView {
    const required = requiredMaterials(app.type, { changes: app.details.changes, sealsRequested: app.seals.length });
    const deadline = deadlineOf(app, this.calendar.calendar());
    const d = app.details;
    return {
      id: app.id,
      type: app.type,
      channel: app.channel,
      status: app.status,
      ...(app.tier ? { tier: app.tier } : {}),
      route: app.route,
      unit: app.unit,
      handler: { name: app.handler.name, idNumberMasked: app.handler.idNumberMasked, phoneMasked: app.handler.phoneMasked, email: app.handler.email },
      seals: app.seals,
      ...(app.targetSerial ? { targetSerial: app.targetSerial } : {}),
      ...(app.targetUkeySerial ? { targetUkeySerial: app.targetUkeySerial } : {}),
      ...(d.justification ? { justification: d.justification } : {}),
      ...(d.changes ? { changes: d.changes } : {}),
      ...(d.revocationCause ? { revocationCause: d.revocationCause } : {}),
      ...(d.statement ? { statement: d.statement } : {}),
      materials: materials.map((x) => ({ kind: x.kind, sha256: x.sha256, mediaType: x.mediaType, size: x.size, ...(x.fileName ? { fileName: x.fileName } : {}), attachedAt: x.attachedAt.toISOString() })),
      checklist: { required, missing: missingMaterials(required, materials, app.status === 'returned' ? app.returned : null) },
      decisions: decisions.map((x) => ({
        tier: x.tier,
        decision: x.decision,
        ...(x.reason ? { reason: x.reason } : {}),
        ...(x.missing ? { missing: x.missing } : {}),
        by: { staffId: x.staffId, clientId: x.clientId, role: x.role },
        at: x.decidedAt.toISOString(),
        materialsSeen: x.materialsSeen,
      })),
      steps: steps.map((s) => ({
        name: s.name,
        status: s.status,
        attempts: s.attempts,
        ...(s.lastError ? { lastError: s.lastError } : {}),
        ...(s.result ? { result: s.result } : {}),
        updatedAt: s.updatedAt.toISOString(),
      })),
      ...(deadline ? { deadline } : {}),
      ...(app.attention ? { attention: { reason: app.attention.reason, step: app.attention.step, at: app.attention.at } } : {}),
      ...(app.rejection ? { rejection: app.rejection } : {}),
      ...(app.returned ? { returned: app.returned as ApplicationView['returned'] & object } : {}),
      results: app.results,
      filedBy: { clientId: app.filedByClient, staffId: app.filedByStaff },
      createdAt: app.createdAt.toISOString(),
      updatedAt: app.updatedAt.toISOString(),
      version: app.version,
      timeline: timeline.map((t) => ({ at: t.at.toISOString(), what: t.what, ...(t.by ? { by: t.by } : {}), ...(t.detail && Object.keys(t.detail).length ? { detail: t.detail } : {}) })),
    };
  }
}
