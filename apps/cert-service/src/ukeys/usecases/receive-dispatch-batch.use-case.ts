import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { DispatchBatchIdCommand, DispatchBatchView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { planUkeyTransition } from '@ecert/pki';
import { UkeyEntity } from '../ukey.entity';
import { UkeyDispatchBatchEntity } from '../ukey-dispatch-batch.entity';
import { uuidOf } from '../ukey-input';
import { recordUkeyStep } from '../ukey-steps';
import { dispatchBatchView } from '../ukey-view.mapper';
import { illegalUkeyTransition } from './transition-ukey.use-case';

/**
 * 签收: the city office received a dispatch batch; every UKey of it is at_office. Signed for by a
 * staff member whose scope covers that office (a client system, or another city's office, cannot),
 * once: a second receipt is a 409.
 */
@Injectable()
export class ReceiveDispatchBatchUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
  ) {}

  async execute(cmd: DispatchBatchIdCommand): Promise<DispatchBatchView> {
    const id = uuidOf(cmd?.batchId, 'batchId');
    const ctx = requestContext.getStore();
    const batch = await this.ds.transaction(async (m) => {
      const b = await m.getRepository(UkeyDispatchBatchEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!b) throw ProblemError.notFound(ProblemCode.dispatchBatchNotFound, `No dispatch batch ${id}`);
      assertInScope(ctx, b.officeRegionCode, `dispatch batch ${id}`);
      if (!ctx?.actor) {
        throw new ProblemError(403, ProblemCode.forbidden, '须由办理网点工作人员签收 (staff of the office only)', `The receipt of dispatch batch ${id} is signed by a staff member of the office ${b.officeRegionCode}`);
      }
      if (b.receivedAt) {
        throw ProblemError.conflict(ProblemCode.dispatchBatchAlreadyReceived, `Dispatch batch ${id} was received on ${b.receivedAt.toISOString()}`, { receivedAt: b.receivedAt.toISOString() });
      }
      const keys = await m.getRepository(UkeyEntity).createQueryBuilder('u').setLock('pessimistic_write').where('u.serial = ANY(:serials)', { serials: b.serials }).orderBy('u.serial').getMany();
      for (const u of keys) {
        const plan = planUkeyTransition('receive', u.state);
        if (!plan.ok) throw illegalUkeyTransition(u.serial, plan, 'receive');
        const from = u.state;
        u.state = plan.to;
        await recordUkeyStep(m, u, { action: 'receive', from, detail: { dispatchBatchId: id } });
      }
      b.receivedAt = (await m.query('SELECT now() AS t'))[0].t;
      b.receivedBy = ctx.actor;
      await m.save(b);
      return b;
    });
    this.relay.kick();
    return dispatchBatchView(batch);
  }
}
