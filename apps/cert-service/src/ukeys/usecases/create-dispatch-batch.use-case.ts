import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, isWithinRegion, ProblemCode, ProblemError, requestContext, validateRegionCode } from '@ecert/common';
import type { CreateDispatchBatchCommand, DispatchBatchView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { planUkeyTransition } from '@ecert/pki';
import { UkeyEntity } from '../ukey.entity';
import { UkeyDispatchBatchEntity } from '../ukey-dispatch-batch.entity';
import { bad, ukeyNotFound, ukeySerialOf } from '../ukey-input';
import { assertUkeyInScope } from '../ukey-scope';
import { recordUkeyStep } from '../ukey-steps';
import { dispatchBatchView } from '../ukey-view.mapper';
import { illegalUkeyTransition } from './transition-ukey.use-case';

export const MAX_UKEYS_PER_DISPATCH = 500;

/**
 * 寄送: initialised UKeys go in one batch to one city office (a city-level region code within the
 * caller's scope), all or nothing: every UKey must be initialised, in the caller's scope and for a
 * unit that office serves; the first that is not is named (`serials[i]`) and nothing is sent.
 */
@Injectable()
export class CreateDispatchBatchUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  async execute(cmd: CreateDispatchBatchCommand): Promise<DispatchBatchView> {
    const ctx = requestContext.getStore();
    const r = validateRegionCode(cmd?.officeRegionCode);
    if (!r.ok) throw bad('officeRegionCode', r.message);
    if (r.parts.level !== 'city') throw bad('officeRegionCode', `officeRegionCode must be a city (prefecture-level) office; ${r.value} is a ${r.parts.level}`);
    const office = r.value;
    assertInScope(ctx, office, `office ${office}`);
    if (!Array.isArray(cmd.serials) || cmd.serials.length < 1 || cmd.serials.length > MAX_UKEYS_PER_DISPATCH) {
      throw bad('serials', `serials must list 1-${MAX_UKEYS_PER_DISPATCH} UKeys`);
    }
    const serials = cmd.serials.map((s, i) => ukeySerialOf(s, `serials[${i}]`));
    serials.forEach((s, i) => {
      if (serials.indexOf(s) !== i) throw bad(`serials[${i}]`, `UKey ${s} is listed twice`);
    });

    const batch = await this.ds.transaction(async (m) => {
      // Locked in one order, so two batches naming the same keys queue instead of deadlocking.
      const rows = await m.getRepository(UkeyEntity).createQueryBuilder('u').setLock('pessimistic_write').where('u.serial = ANY(:serials)', { serials }).orderBy('u.serial').getMany();
      const bySerial = new Map(rows.map((u) => [u.serial, u]));
      const keys = serials.map((s, i) => {
        const u = bySerial.get(s);
        if (!u) throw ukeyNotFound(s, `serials[${i}]`);
        assertUkeyInScope(u, ctx);
        const plan = planUkeyTransition('dispatch', u.state);
        if (!plan.ok) throw illegalUkeyTransition(s, plan, 'dispatch', `serials[${i}]`);
        if (u.regionCode && !isWithinRegion(office, u.regionCode)) {
          throw new ProblemError(422, ProblemCode.ukeyOfficeMismatch, '寄送地址不符 (wrong office)', `UKey ${s} holds the certificates of a unit in ${u.regionCode}, which the office ${office} does not serve`, `serials[${i}]`);
        }
        return u;
      });
      const b = m.create(UkeyDispatchBatchEntity, {
        id: randomUUID(),
        officeRegionCode: office,
        serials,
        createdAt: (await m.query('SELECT now() AS t'))[0].t,
        createdBy: ctx?.actor ?? null,
        createdClientId: ctx?.clientId ?? null,
      });
      await m.insert(UkeyDispatchBatchEntity, b);
      for (const u of keys) {
        const from = u.state;
        u.state = 'dispatched';
        u.officeRegionCode = office;
        u.dispatchBatchId = b.id;
        await recordUkeyStep(m, u, { action: 'dispatch', from, detail: { dispatchBatchId: b.id, officeRegionCode: office } });
      }
      return b;
    });
    this.relay.kick();
    return dispatchBatchView(batch);
  }
}
