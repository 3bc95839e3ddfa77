import type { EntityManager } from 'typeorm';
import { requestContext } from '@ecert/common';
import { CertificateHistoryEntity } from './certificate-history.entity';

export async function recordHistory(
  manager: EntityManager,
  entry: Pick<CertificateHistoryEntity, 'serial' | 'action' | 'fromStatus' | 'toStatus'> & { reason?: string | null; comment?: string | null },
): Promise<void> {
  const ctx = requestContext.getStore();
  await manager.insert(CertificateHistoryEntity, {
    ...entry,
    reason: entry.reason ?? null,
    comment: entry.comment ?? null,
    requestId: ctx?.requestId ?? null,
    clientId: ctx?.clientId ?? null,
    actor: ctx?.actor ?? null,
  });
}
