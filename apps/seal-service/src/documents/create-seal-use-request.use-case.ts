import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { currentRequestId, ProblemCode, ProblemError } from '@ecert/common';
import { DocumentProblemCode, type CreateSealUseRequestCommand, type SealUseRequestView } from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { appendEvent, DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { readPdfPages } from '@ecert/pdf';
import { SealImageEntity } from '../seals/seal.entities';
import { effectiveSealStatus } from '../seals/seal-view';
import { Actor } from './document-actor';
import { DocumentAccess } from './document-access.service';
import { SealUseRequestEntity, SealUseRuleEntity } from './document.entities';
import { placementsOf, requiredText } from './document-input';
import { documentRejection } from './document-rejection';
import { SEAL_DOCUMENT_STORE } from './document-store.provider';
import { toRequestView } from './document-view';
import { pdfProblem } from './pdf-problem';
import { resolvePlacements } from './placement-resolver';
import { findSeal } from './seal-lookup';
import { mayUse } from './seal-use-policy';

/** An approval made by the rule itself (no approval required) may be used this long. */
export const DEFAULT_APPROVAL_MINUTES = 24 * 60;

/**
 * 用印申请: a user of the seal (per its rule) asks to put it on exactly this document — its SHA-256
 * is what gets approved — at these places, for this purpose. The placements are resolved against
 * the PDF now, so a blank page or a keyword that is not there is refused before an approver is
 * asked (and checked again at sealing). A rule that needs no approval approves the request at
 * once: it is still recorded, bound to the document and usable once.
 */
@Injectable()
export class CreateSealUseRequestUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(SEAL_DOCUMENT_STORE) private readonly store: DocumentStore,
    private readonly access: DocumentAccess,
  ) {}

  async execute(cmd: CreateSealUseRequestCommand): Promise<SealUseRequestView> {
    const actor = Actor.current();
    if (!cmd || typeof cmd !== 'object') throw ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'a seal-use request object is required');
    const placements = placementsOf(cmd.placements);
    const purpose = requiredText(cmd.purpose, 'purpose', 500);
    const document = await this.access.withContent(cmd.documentId, actor);
    const seal = await findSeal(this.ds.manager, cmd.sealId);
    const status = effectiveSealStatus(seal);
    if (status !== 'active') {
      throw new ProblemError(422, DocumentProblemCode.sealNotActive, '印章不可用 (seal not active)', `Seal ${seal.id} is ${status}${seal.statusReason ? ` (${seal.statusReason})` : ''}`, 'sealId', { sealStatus: status });
    }
    const rule = await this.ds.getRepository(SealUseRuleEntity).findOneBy({ sealId: seal.id });
    if (!rule) throw new ProblemError(422, DocumentProblemCode.sealUseRuleMissing, '印章未设置用印规则 (no rule of use)', `Seal ${seal.id} has no rule of use: its unit's administrator must say who may use it`, 'sealId');
    if (!mayUse(actor, rule)) throw notPermitted(actor.describe(), seal.id);

    const image = await this.ds.getRepository(SealImageEntity).findOneByOrFail({ id: seal.imageId });
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(document.sha256);
    } catch (e) {
      throw documentRejection(e, 'documentId');
    }
    try {
      await resolvePlacements(bytes, readPdfPages(bytes), placements, { widthMm: image.widthMm, heightMm: image.heightMm });
    } catch (e) {
      throw pdfProblem(e, 'documentId');
    }

    const now = new Date();
    const autoApproved = !rule.approvalRequired;
    const request = this.ds.getRepository(SealUseRequestEntity).create({
      id: randomUUID(),
      sealId: seal.id,
      documentId: document.id,
      documentSha256: document.sha256,
      placements,
      purpose,
      status: autoApproved ? 'approved' : 'pending',
      requestedByClient: actor.clientId,
      requestedByStaff: actor.staffId,
      requestedAt: now,
      decision: autoApproved ? 'approve' : null,
      decidedByClient: null,
      decidedByStaff: null,
      decidedByRule: autoApproved,
      decisionReason: autoApproved ? `the rule of seal ${seal.id} (version ${rule.version}) needs no approval` : null,
      decidedAt: autoApproved ? now : null,
      expiresAt: autoApproved ? new Date(now.getTime() + DEFAULT_APPROVAL_MINUTES * 60_000) : null,
      usedAt: null,
      sealedDocumentId: null,
      requestId: currentRequestId() ?? null,
    });
    await this.ds.transaction(async (m) => {
      await m.insert(SealUseRequestEntity, request);
      const data = { requestId: request.id, sealId: seal.id, uscc: seal.uscc, regionCode: seal.regionCode, documentId: document.id, documentSha256: document.sha256, purpose };
      await appendEvent(m, 'document.seal-use-requested', request.id, data);
      if (autoApproved) await appendEvent(m, 'document.seal-use-decided', request.id, { ...data, decision: 'approve', by: 'rule', ruleVersion: rule.version, expiresAt: request.expiresAt!.toISOString() });
    });
    this.relay.kick();
    return toRequestView(request, seal);
  }
}

export function notPermitted(who: string, sealId: string): ProblemError {
  return new ProblemError(403, DocumentProblemCode.sealUseNotPermitted, '无权使用该印章 (not a user of this seal)', `${who} is not among the users the rule of seal ${sealId} names`, 'sealId');
}
