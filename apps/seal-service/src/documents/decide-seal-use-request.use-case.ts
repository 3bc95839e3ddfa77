import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { DocumentProblemCode, type DecideSealUseRequestCommand, type SealUseRequestView } from '@ecert/contracts';
import { appendEvent, DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { SealEntity } from '../seals/seal.entities';
import { Actor } from './document-actor';
import { SealUseRequestEntity, SealUseRuleEntity } from './document.entities';
import { intOf, optionalText, uuidOf } from './document-input';
import { toRequestView } from './document-view';
import { DEFAULT_APPROVAL_MINUTES } from './create-seal-use-request.use-case';
import { mayDecide } from './seal-use-policy';

/** The longest an approval may stay usable: 30 days. */
const MAX_APPROVAL_MINUTES = 30 * 24 * 60;

/**
 * 用印审批: an approver of the seal (named by its rule, or its unit's administrator when the rule
 * names none) approves or rejects a pending request — never their own. An approval is usable
 * once, for exactly the document hash asked, until it expires (`validForMinutes`, default a day).
 */
@Injectable()
export class DecideSealUseRequestUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  async execute(cmd: DecideSealUseRequestCommand): Promise<SealUseRequestView> {
    const actor = Actor.current();
    const id = uuidOf(cmd?.id, 'id', { code: DocumentProblemCode.sealUseRequestNotFound, what: 'seal-use request' });
    if (cmd.decision !== 'approve' && cmd.decision !== 'reject') throw ProblemError.badRequest(ProblemCode.validationFailed, 'decision', 'decision must be approve or reject');
    const reason = optionalText(cmd.reason, 'reason', 500);
    if (cmd.decision === 'reject' && !reason) throw ProblemError.badRequest(ProblemCode.validationFailed, 'reason', 'a rejection needs a reason');
    if (cmd.decision === 'reject' && cmd.validForMinutes !== undefined) throw ProblemError.badRequest(ProblemCode.validationFailed, 'validForMinutes', 'validForMinutes goes with an approval only');
    const minutes = intOf(cmd.validForMinutes, 'validForMinutes', 1, MAX_APPROVAL_MINUTES, DEFAULT_APPROVAL_MINUTES);

    const result = await this.ds.transaction(async (m) => {
      const r = await m.findOne(SealUseRequestEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const seal = r && (await m.findOneBy(SealEntity, { id: r.sealId }));
      const rule = r && (await m.findOneBy(SealUseRuleEntity, { sealId: r.sealId }));
      const requester = !!r && actor.is(r.requestedByClient, r.requestedByStaff);
      if (!r || !seal || (!requester && !mayDecide(actor, rule, seal.regionCode))) {
        // Someone who may not decide it learns nothing about it; its requester is told why not.
        throw ProblemError.notFound(DocumentProblemCode.sealUseRequestNotFound, `No seal-use request with id '${id}' you may decide`);
      }
      if (requester) {
        throw new ProblemError(403, DocumentProblemCode.sealUseSelfApproval, '不得审批本人的用印申请 (own request)', `${actor.describe()} made seal-use request ${id}: another approver decides it`, 'id');
      }
      if (r.status !== 'pending') {
        throw new ProblemError(409, DocumentProblemCode.sealUseRequestDecided, '用印申请已处理 (already decided)', `Seal-use request ${id} is ${r.status}`, 'id', { requestStatus: r.status });
      }
      const now = new Date();
      r.status = cmd.decision === 'approve' ? 'approved' : 'rejected';
      r.decision = cmd.decision;
      r.decidedByClient = actor.clientId;
      r.decidedByStaff = actor.staffId;
      r.decidedByRule = false;
      r.decisionReason = reason ?? null;
      r.decidedAt = now;
      r.expiresAt = cmd.decision === 'approve' ? new Date(now.getTime() + minutes * 60_000) : null;
      await m.save(SealUseRequestEntity, r);
      await appendEvent(m, 'document.seal-use-decided', r.id, {
        requestId: r.id,
        sealId: seal.id,
        uscc: seal.uscc,
        regionCode: seal.regionCode,
        documentId: r.documentId,
        documentSha256: r.documentSha256,
        decision: cmd.decision,
        ...(reason ? { reason } : {}),
        ...(r.expiresAt ? { expiresAt: r.expiresAt.toISOString() } : {}),
      });
      return toRequestView(r, seal, now);
    });
    this.relay.kick();
    return result;
  }
}
