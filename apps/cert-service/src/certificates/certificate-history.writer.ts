import type { EntityManager } from 'typeorm';
import { requestContext } from '@ecert/common';
import { CertificateHistoryEntity } from './certificate-history.entity';

export type HistoryEntry = Pick<CertificateHistoryEntity, 'serial' | 'action' | 'fromStatus' | 'toStatus'> & { reason?: string | null; comment?: string | null };

/** The history row of a step of the current request (who did it comes from the request context). */
export function historyRow(entry: HistoryEntry): Omit<CertificateHistoryEntity, 'id' | 'at'> {
  const ctx = requestContext.getStore();
  return {
    ...entry,
    reason: entry.reason ?? null,
    comment: entry.comment ?? null,
    requestId: ctx?.requestId ?? null,
    clientId: ctx?.clientId ?? null,
    actor: ctx?.actor ?? null,
  };
}

export async function recordHistory(manager: EntityManager, entry: HistoryEntry): Promise<void> {
  await manager.insert(CertificateHistoryEntity, historyRow(entry));
}
