import { Inject, Injectable } from '@nestjs/common';
import { In, type DataSource } from 'typeorm';
import { ProblemCode, ProblemError, regionLikePatterns, requestContext, scopeAllows, pageBounds } from '@ecert/common';
import {
  DocumentProblemCode,
  SEAL_USE_REQUEST_STATUSES,
  type ListSealUseRequestsQuery,
  type Page,
  type SealUseRequestIdQuery,
  type SealUseRequestView,
  type SealUseRuleQuery,
  type SealUseRuleView,
} from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { SealEntity } from '../seals/seal.entities';
import { oneOf } from '../seals/seal-input';
import { Actor } from './document-actor';
import { SealUseRequestEntity, SealUseRuleEntity } from './document.entities';
import { uuidOf } from './document-input';
import { toRequestView, toRuleView } from './document-view';
import { findSeal } from './seal-lookup';
import { mayDecide, mayUse } from './seal-use-policy';

/**
 * Reads of the rules of use and of seal-use requests. A rule is shown to whoever may see the seal
 * (its region in scope) and to the users and approvers it names; a request to its requester and
 * to whoever may decide it, so an approver's list is their queue.
 */
@Injectable()
export class SealUseQueries {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async rule(q: SealUseRuleQuery): Promise<SealUseRuleView> {
    const actor = Actor.current();
    const seal = await findSeal(this.ds.manager, q?.sealId);
    const rule = await this.ds.getRepository(SealUseRuleEntity).findOneBy({ sealId: seal.id });
    const named = !!rule && (mayUse(actor, rule) || mayDecide(actor, rule, seal.regionCode));
    if (!named && !scopeAllows(requestContext.getStore(), seal.regionCode)) {
      throw ProblemError.notFound(DocumentProblemCode.sealUseRuleMissing, `Seal ${seal.id} has no rule of use you may see`);
    }
    if (!rule) throw ProblemError.notFound(DocumentProblemCode.sealUseRuleMissing, `Seal ${seal.id} has no rule of use yet: nobody may use it`);
    return toRuleView(rule);
  }

  async request(q: SealUseRequestIdQuery): Promise<SealUseRequestView> {
    const actor = Actor.current();
    const id = uuidOf(q?.id, 'id', { code: DocumentProblemCode.sealUseRequestNotFound, what: 'seal-use request' });
    const r = await this.ds.getRepository(SealUseRequestEntity).findOneBy({ id });
    const seal = r && (await this.ds.getRepository(SealEntity).findOneBy({ id: r.sealId }));
    const rule = r && (await this.ds.getRepository(SealUseRuleEntity).findOneBy({ sealId: r.sealId }));
    if (!r || !seal || !(actor.is(r.requestedByClient, r.requestedByStaff) || mayDecide(actor, rule, seal.regionCode) || actor.holds('admin'))) {
      throw ProblemError.notFound(DocumentProblemCode.sealUseRequestNotFound, `No seal-use request with id '${id}'`);
    }
    return toRequestView(r, seal);
  }

  async list(q: ListSealUseRequestsQuery): Promise<Page<SealUseRequestView>> {
    const actor = Actor.current();
    const { page, pageSize } = pageBounds(q);
    const qb = this.ds
      .getRepository(SealUseRequestEntity)
      .createQueryBuilder('r')
      .innerJoin(SealEntity, 's', 's.id = r.seal_id')
      .leftJoin(SealUseRuleEntity, 'u', 'u.seal_id = r.seal_id');
    const mine = actor.clientId ? 'r.requested_by_client = :me' : 'r.requested_by_staff = :me';
    const approver = actor.clientId ? ':me = ANY(u.approver_client_ids)' : ':me = ANY(u.approver_staff_ids)';
    const clauses = [mine, approver];
    const params: Record<string, unknown> = { me: actor.clientId ?? actor.staffId };
    if (actor.holds('seals:manage-use')) {
      const patterns = regionLikePatterns(requestContext.getStore());
      const inRegion = patterns === undefined ? 'TRUE' : 's.region_code LIKE ANY(:patterns)';
      if (patterns !== undefined) params.patterns = patterns;
      clauses.push(`(cardinality(u.approver_staff_ids) + cardinality(u.approver_client_ids) = 0 AND ${inRegion})`);
    }
    if (!actor.holds('admin')) qb.where(`(${clauses.join(' OR ')})`, params);
    if (q?.sealId !== undefined) qb.andWhere('r.seal_id = :sealId', { sealId: uuidOf(q.sealId, 'sealId') });
    if (q?.documentId !== undefined) qb.andWhere('r.document_id = :documentId', { documentId: uuidOf(q.documentId, 'documentId') });
    if (q?.status !== undefined) {
      const status = oneOf(q.status, 'status', SEAL_USE_REQUEST_STATUSES);
      if (status === 'expired') qb.andWhere("r.status = 'approved' AND r.expires_at <= now()");
      else if (status === 'approved') qb.andWhere("r.status = 'approved' AND r.expires_at > now()");
      else qb.andWhere('r.status = :status', { status });
    }
    const [rows, total] = await qb
      .orderBy('r.requested_at', 'DESC')
      .addOrderBy('r.id')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    const seals = rows.length ? await this.ds.getRepository(SealEntity).findBy({ id: In([...new Set(rows.map((r) => r.sealId))]) }) : [];
    const byId = new Map(seals.map((s) => [s.id, s]));
    return { items: rows.map((r) => toRequestView(r, byId.get(r.sealId)!)), page, pageSize, total };
  }
}
