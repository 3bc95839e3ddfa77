import type { EntityManager } from 'typeorm';
import type { ApplicationEventData, ApplicationEventType } from '@ecert/contracts';
import { appendEvent } from '@ecert/messaging';
import type { ApplicationEntity } from './entities/application.entity';
import { ApplicationTimelineEntity } from './entities/application-timeline.entity';

type By = { staffId: string | null; clientId: string | null; via: string | null } | null;

/** The workflow-service itself, as the author of what it does on its own (steps, events it follows). */
export const WORKFLOW_SERVICE_ACTOR = { staffId: null, clientId: null, via: 'workflow-service' } as const;

/**
 * What happened to an application, written in the transaction that changed it: a timeline entry
 * always, and the durable event (through the outbox) when the change is one others follow.
 */
export async function journal(m: EntityManager, app: ApplicationEntity, what: string, by: By, detail: Record<string, unknown> = {}, event?: ApplicationEventType): Promise<void> {
  await m.insert(ApplicationTimelineEntity, { applicationId: app.id, at: new Date(), what, by, detail: detail as never });
  if (event) await appendEvent(m, event, app.id, applicationEventData(app, detail));
}

export function applicationEventData(app: ApplicationEntity, detail: Record<string, unknown> = {}): ApplicationEventData {
  return {
    applicationId: app.id,
    type: app.type,
    status: app.status,
    ...(app.tier ? { tier: app.tier } : {}),
    uscc: app.uscc,
    accountNo: app.accountNo,
    regionCode: app.regionCode,
    filedByClientId: app.filedByClient,
    ...(typeof detail.reason === 'string' ? { reason: detail.reason } : {}),
    ...(app.results.certificateSerial ? { certificateSerial: app.results.certificateSerial } : {}),
    ...(app.results.sealIds?.length ? { sealIds: app.results.sealIds } : {}),
    version: app.version,
  };
}
