import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, regionLikePatterns, requestContext, validateRegionCode, validateUscc, pageBounds } from '@ecert/common';
import { UKEY_STATES, type DispatchBatchView, type ListUkeysQuery, type UkeyPage, type UkeyView } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { UkeyEntity } from '../ukey.entity';
import { UkeyHistoryEntity } from '../ukey-history.entity';
import { UkeyDispatchBatchEntity } from '../ukey-dispatch-batch.entity';
import { assertUkeyInScope, ukeyScopeCondition } from '../ukey-scope';
import { bad, optionalText, ukeyNotFound, ukeySerialOf, uuidOf } from '../ukey-input';
import { certificateSerialsOn } from '../ukey-steps';
import { dispatchBatchView, ukeyView } from '../ukey-view.mapper';

@Injectable()
export class UkeyQueries {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** One UKey with its certificates and its whole history. */
  async get(serialInput: unknown): Promise<UkeyView> {
    const serial = ukeySerialOf(serialInput);
    const u = await this.ds.getRepository(UkeyEntity).findOneBy({ serial });
    if (!u) throw ukeyNotFound(serial);
    assertUkeyInScope(u);
    return this.viewOf(this.ds.manager, u, true);
  }

  /** The view of a UKey as it is now, read in `m` (a transaction's manager, after its changes). */
  async viewOf(m: EntityManager, u: UkeyEntity, withHistory = false): Promise<UkeyView> {
    const history = withHistory ? await m.getRepository(UkeyHistoryEntity).find({ where: { serial: u.serial }, order: { id: 'ASC' } }) : undefined;
    return ukeyView(u, await certificateSerialsOn(m, u.serial), history);
  }

  async list(q: ListUkeysQuery): Promise<UkeyPage> {
    const { page, pageSize } = pageBounds(q);
    const qb = this.ds.getRepository(UkeyEntity).createQueryBuilder('u');
    const scope = ukeyScopeCondition();
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (q.state !== undefined) {
      if (!(UKEY_STATES as readonly string[]).includes(q.state)) throw bad('state', `state must be one of ${UKEY_STATES.join(', ')}`);
      qb.andWhere('u.state = :state', { state: q.state });
    }
    if (q.regionCode !== undefined) {
      const r = validateRegionCode(q.regionCode);
      if (!r.ok) throw bad('regionCode', r.message);
      // The office holding it, within the region given (a province lists its cities' offices too).
      qb.andWhere('u.office_region_code LIKE ANY(:officePatterns)', { officePatterns: regionLikePatterns({ regions: [r.value] }) });
    }
    if (q.batch !== undefined) {
      const batch = optionalText(q.batch, 'batch', 64);
      if (!batch) throw bad('batch', 'batch must not be empty');
      qb.andWhere('u.batch = :batch', { batch });
    }
    if (q.uscc !== undefined) {
      const u = validateUscc(q.uscc);
      if (!u.ok) throw bad('uscc', u.message);
      qb.andWhere('u.uscc = :uscc', { uscc: u.value });
    }
    const [rows, total] = await qb.orderBy('u.created_at', 'DESC').addOrderBy('u.serial').skip((page - 1) * pageSize).take(pageSize).getManyAndCount();
    const onKeys: { ukey_serial: string; serial: string }[] = rows.length
      ? await this.ds.query('SELECT ukey_serial, serial FROM "cert"."certificate" WHERE ukey_serial = ANY($1) ORDER BY created_at, serial', [rows.map((r) => r.serial)])
      : [];
    const certs = new Map<string, string[]>();
    for (const c of onKeys) certs.set(c.ukey_serial, [...(certs.get(c.ukey_serial) ?? []), c.serial]);
    return { items: rows.map((r) => ukeyView(r, certs.get(r.serial) ?? [])), page, pageSize, total };
  }

  async dispatchBatch(batchIdInput: unknown): Promise<DispatchBatchView> {
    const id = uuidOf(batchIdInput, 'batchId');
    const b = await this.ds.getRepository(UkeyDispatchBatchEntity).findOneBy({ id });
    if (!b) throw ProblemError.notFound(ProblemCode.dispatchBatchNotFound, `No dispatch batch ${id}`);
    assertInScope(requestContext.getStore(), b.officeRegionCode, `dispatch batch ${id}`);
    return dispatchBatchView(b);
  }
}
