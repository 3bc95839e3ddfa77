import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { DocumentProblemCode, type PutSealUseRuleCommand, type SealUseRuleView } from '@ecert/contracts';
import { appendEvent, DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { Actor } from './document-actor';
import { SealUseRuleEntity } from './document.entities';
import { principalsOf } from './document-input';
import { toRuleView } from './document-view';
import { findSeal } from './seal-lookup';
import { isAdministrator } from './seal-use-policy';

/**
 * 用印规则: the unit's administrator (seals:manage-use with the seal's region in scope, see
 * seal-use-policy) says who may use the seal and whether each use needs approval. The whole rule
 * is replaced; `expectedVersion` guards against overwriting a change one has not seen. Requests
 * already approved stay approved, but sealing checks the rule again: a user removed can no longer
 * seal. Every change is an event with the rule before and after (the audit trail keeps it).
 */
@Injectable()
export class PutSealUseRuleUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  async execute(cmd: PutSealUseRuleCommand): Promise<SealUseRuleView> {
    const actor = Actor.current();
    const users = principalsOf(cmd?.users, 'users');
    const approvers = principalsOf(cmd?.approvers ?? { staffIds: [], clientIds: [] }, 'approvers');
    if (typeof cmd?.approvalRequired !== 'boolean') throw ProblemError.badRequest(ProblemCode.validationFailed, 'approvalRequired', 'approvalRequired must be true or false');
    const expected = cmd.expectedVersion;
    if (expected !== undefined && (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'expectedVersion', 'expectedVersion must be an integer ≥ 0 (0: no rule yet)');
    }
    const saved = await this.ds.transaction(async (m) => {
      const seal = await findSeal(m, cmd.sealId);
      assertInScope(requestContext.getStore(), seal.regionCode, `seal ${seal.id}`);
      if (!isAdministrator(actor, seal.regionCode)) {
        throw new ProblemError(403, ProblemCode.forbidden, '无权设置用印规则 (not the unit administrator)', `Only a holder of seals:manage-use for region ${seal.regionCode} sets the rules of seal ${seal.id}`);
      }
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`seal-use-rule:${seal.id}`]);
      const before = await m.findOneBy(SealUseRuleEntity, { sealId: seal.id });
      if (expected !== undefined && (before?.version ?? 0) !== expected) {
        throw new ProblemError(409, DocumentProblemCode.ruleVersionConflict, '用印规则已被修改 (rule changed meanwhile)', `The rule of seal ${seal.id} is at version ${before?.version ?? 0}, not ${expected}: read it again`, 'expectedVersion');
      }
      const rule = m.create(SealUseRuleEntity, {
        sealId: seal.id,
        userStaffIds: users.staffIds,
        userClientIds: users.clientIds,
        approverStaffIds: approvers.staffIds,
        approverClientIds: approvers.clientIds,
        approvalRequired: cmd.approvalRequired,
        version: (before?.version ?? 0) + 1,
        updatedAt: new Date(),
        updatedByClient: actor.clientId,
        updatedByStaff: actor.staffId,
      });
      await m.save(SealUseRuleEntity, rule);
      await appendEvent(m, 'document.seal-use-rule-changed', seal.id, {
        sealId: seal.id,
        uscc: seal.uscc,
        regionCode: seal.regionCode,
        before: before ? toRuleView(before) : null,
        after: toRuleView(rule),
      });
      return rule;
    });
    this.relay.kick();
    return toRuleView(saved);
  }
}
