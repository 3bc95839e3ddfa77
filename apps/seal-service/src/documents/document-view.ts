import type { DocumentView, SealUseRequestStatus, SealUseRequestView, SealUseRuleView } from '@ecert/contracts';
import type { SealEntity } from '../seals/seal.entities';
import { toActorView } from './document-actor';
import type { DocumentEntity, DocumentSignatureEntity, SealUseRequestEntity, SealUseRuleEntity } from './document.entities';

export function toDocumentView(d: DocumentEntity, signature?: DocumentSignatureEntity | null): DocumentView {
  return {
    id: d.id,
    sha256: d.sha256,
    size: d.size,
    pages: d.pages,
    ...(d.fileName ? { fileName: d.fileName } : {}),
    uploadedBy: toActorView(d.uploadedByClient, d.uploadedByStaff),
    uploadedAt: d.uploadedAt.toISOString(),
    retainedUntil: d.retainedUntil.toISOString(),
    ...(d.purgedAt ? { purgedAt: d.purgedAt.toISOString() } : {}),
    ...(d.derivedFrom ? { derivedFrom: d.derivedFrom } : {}),
    ...(signature
      ? {
          sealing: {
            sealId: signature.sealId,
            sealUseRequestId: signature.sealUseRequestId,
            certificateSerial: signature.certificateSerial,
            fieldName: signature.fieldName,
            family: signature.family,
            subFilter: signature.subFilter,
            mode: signature.mode,
            sealedAt: signature.sealedAt.toISOString(),
          },
        }
      : {}),
  };
}

export function toRuleView(r: SealUseRuleEntity): SealUseRuleView {
  return {
    sealId: r.sealId,
    users: { staffIds: [...r.userStaffIds], clientIds: [...r.userClientIds] },
    approvers: { staffIds: [...r.approverStaffIds], clientIds: [...r.approverClientIds] },
    approvalRequired: r.approvalRequired,
    version: r.version,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: toActorView(r.updatedByClient, r.updatedByStaff),
  };
}

/** Stored status, or `expired` once an approval is past its expiry unused. */
export function effectiveRequestStatus(r: Pick<SealUseRequestEntity, 'status' | 'expiresAt'>, now = new Date()): SealUseRequestStatus {
  if (r.status === 'approved' && r.expiresAt && r.expiresAt.getTime() <= now.getTime()) return 'expired';
  return r.status;
}

export function toRequestView(r: SealUseRequestEntity, seal: Pick<SealEntity, 'name' | 'kind' | 'uscc' | 'regionCode'>, now = new Date()): SealUseRequestView {
  return {
    id: r.id,
    sealId: r.sealId,
    seal: { name: seal.name, kind: seal.kind, uscc: seal.uscc, regionCode: seal.regionCode },
    documentId: r.documentId,
    documentSha256: r.documentSha256,
    placements: r.placements,
    purpose: r.purpose,
    status: effectiveRequestStatus(r, now),
    requestedBy: toActorView(r.requestedByClient, r.requestedByStaff),
    requestedAt: r.requestedAt.toISOString(),
    ...(r.decision && r.decidedAt
      ? {
          decision: {
            decision: r.decision,
            by: r.decidedByRule ? ('rule' as const) : toActorView(r.decidedByClient, r.decidedByStaff),
            ...(r.decisionReason ? { reason: r.decisionReason } : {}),
            at: r.decidedAt.toISOString(),
          },
        }
      : {}),
    ...(r.expiresAt ? { expiresAt: r.expiresAt.toISOString() } : {}),
    ...(r.usedAt ? { usedAt: r.usedAt.toISOString() } : {}),
    ...(r.sealedDocumentId ? { sealedDocumentId: r.sealedDocumentId } : {}),
  };
}
