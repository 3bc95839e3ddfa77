import type { EntityManager } from 'typeorm';
import { currentRequestId, requestContext } from '@ecert/common';
import type { SealEventData, SealEventType } from '@ecert/contracts';
import { appendEvent } from '@ecert/messaging';
import { SealEntity, SealHistoryEntity, type StoredSealStatus } from './seal.entities';

/** Lock key taken by seal creation and by certificate-event handling for the same certificate. */
export const certificateLockKey = (serial: string) => `seal-cert:${serial}`;

export async function lockCertificate(m: EntityManager, serial: string): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [certificateLockKey(serial)]);
}

export interface HistoryEntry {
  action: string;
  from: StoredSealStatus | null;
  to: StoredSealStatus;
  reason?: string | null;
  eventId?: string | null;
}

/** History row and outbox event of one seal change, in the caller's transaction. */
export async function recordSealChange(m: EntityManager, seal: SealEntity, type: SealEventType, h: HistoryEntry): Promise<void> {
  const ctx = requestContext.getStore();
  await m.insert(SealHistoryEntity, {
    sealId: seal.id,
    action: h.action,
    fromStatus: h.from,
    toStatus: h.to,
    reason: h.reason ?? null,
    eventId: h.eventId ?? null,
    requestId: currentRequestId() ?? null,
    actor: ctx?.actor ?? ctx?.clientId ?? null,
  });
  const data: SealEventData = {
    sealId: seal.id,
    esId: seal.esId,
    kind: seal.kind,
    uscc: seal.uscc,
    regionCode: seal.regionCode,
    certificateSerial: seal.certificateSerial,
    status: seal.status,
    ...(h.eventId ? { causeEventId: h.eventId } : {}),
    ...(seal.replaces ? { replaces: seal.replaces } : {}),
    ...(seal.replacedBy ? { replacedBy: seal.replacedBy } : {}),
  };
  await appendEvent(m, type, seal.id, data);
}

/** Postgres unique_violation on the one-official-seal-per-unit index. */
export function isOfficialSealConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = err?.driverError?.code ?? err?.code;
  const constraint = err?.driverError?.constraint ?? err?.constraint;
  return code === '23505' && constraint === 'seal_one_official_per_unit';
}
