import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { ApplicationView, RecordProductionCommand } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { acceptCsr } from '@ecert/pki';
import { assertTierScope } from '@ecert/workflow';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { completeWaitingStep } from '../../fulfilment/fulfilment-engine';
import { FulfilmentRunner } from '../../fulfilment/fulfilment-runner.service';
import { bad, ukeySerialOf } from '../application-input';


/**
 * From the CA operator's station (第十一条): the keys were generated on the UKey, here are its
 * serial and the CSR made there. The CSR's proof of possession is checked now, so a bad one is the
 * station's 400, not a failed step later. Issuing (onto that UKey) and sealing follow as the
 * saga's next steps.
 */
@Injectable()
export class RecordProductionUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly views: ApplicationViewMapper,
    private readonly runner: FulfilmentRunner,
  ) {}

  async execute(cmd: RecordProductionCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const ukeySerial = ukeySerialOf(cmd.ukeySerial);
    if (!actor.staffId || actor.role !== 'ca_operator') throw new ProblemError(403, ProblemCode.forbidden, '无权制作 (not permitted to produce)', 'production is recorded by a CA operator logged in with their certificate');
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      assertTierScope({ ...actor, regions: actor.regions }, 'province', app.regionCode);
      if (app.status !== 'awaiting_production') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is ${app.status}, not awaiting production`);
      if (app.type === 'unlock') throw ProblemError.conflict(ProblemCode.illegalTransition, 'an unlock makes no new key: the unlock tool completes it (POST …/unlock-completion)');
      if (typeof cmd.csr !== 'string' || !cmd.csr.trim()) throw bad('csr', 'the CSR made on the UKey is required');
      try {
        acceptCsr(cmd.csr.trim());
      } catch (e) {
        throw bad('csr', `CSR refused: ${(e as Error).message}`);
      }
      const csr = cmd.csr.trim();
      const now = new Date();
      app.production = { ukeySerial, csr, at: now.toISOString(), by: actor.staffId ?? null };
      app.results = { ...app.results, ukeySerial };
      touch(app, now);
      await journal(m, app, 'produced', actorRef(actor), { ukeySerial }, 'application.produced');
      await completeWaitingStep(m, app, 'await_production', { ukeySerial }, now);
      await m.save(app);
      return this.views.load(m, app);
    });
    this.relay.kick();
    this.runner.kick(id);
    return view;
  }
}
