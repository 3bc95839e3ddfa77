import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { maskResidentId, ProblemCode, ProblemError, validateResidentId, type EcertConfig } from '@ecert/common';
import { Subjects, type ApplicationView, type RecordCollectionCommand, type UkeyView } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { assertTierScope, stepIdempotencyKey } from '@ecert/workflow';
import type { ApplicationEntity } from '../entities/application.entity';
import { WorkflowBusClient } from '../workflow-bus.client';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { completeWaitingStep } from '../../fulfilment/fulfilment-engine';
import { handlerIdHash } from './create-application.use-case';
import { bad } from '../application-input';


/**
 * 第十二条: the handler collects the UKey at the city office. The collector's resident ID is
 * checked against the handler's on the application (kept as a keyed hash); the city office staff
 * member who hands it over is recorded.
 */
@Injectable()
export class RecordCollectionUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly views: ApplicationViewMapper,
    private readonly bus: WorkflowBusClient,
  ) {}

  /**
   * The UKey itself changes hands in the cert-service's inventory (its warranty starts). A damaged
   * UKey is replaced only against the old one: it must have been recorded as returned (第十八条 交回原Ukey).
   */
  private async handOver(app: ApplicationEntity, collector: { name: string; idNumberMasked: string }): Promise<void> {
    const serial = app.results.ukeySerial;
    if (!serial) return;
    // In the staff member's own context: the inventory records who handed the UKey over.
    if (app.type === 'medium_replacement' && app.targetUkeySerial) {
      const old = await this.bus.call<UkeyView>(Subjects.cert.ukeyGet, { serial: app.targetUkeySerial });
      if (old.state !== 'returned') {
        throw ProblemError.conflict('old_ukey_not_returned', `交回原Ukey后方可领取新Ukey / the damaged UKey ${old.serial} is ${old.state}; record its return before handing over the new one`);
      }
    }
    await this.bus.call(Subjects.cert.ukeyCollect, { serial, applicationId: app.id, collector, idempotencyKey: stepIdempotencyKey(app.id, 'await_collection') });
  }

  async execute(cmd: RecordCollectionCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const c = cmd.collector;
    if (!c || typeof c !== 'object') throw bad('collector', 'collector {name, idNumber} is required');
    const name = typeof c.name === 'string' ? c.name.normalize('NFKC').trim() : '';
    if (!name || name.length > 64) throw bad('collector.name', 'collector name must be 1-64 characters');
    const idv = validateResidentId(c.idNumber);
    if (!idv.ok) throw bad('collector.idNumber', idv.message);
    if (!actor.staffId || actor.role !== 'city_reviewer') throw new ProblemError(403, ProblemCode.forbidden, '无权发放 (not permitted to hand out)', 'the UKey is handed out by the city office staff, logged in with their certificate');
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      assertTierScope(actor, 'city', app.regionCode);
      if (app.status !== 'ready_for_collection') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is ${app.status}, not ready for collection`);
      const expected = Buffer.from(app.handlerIdHash, 'hex');
      const given = Buffer.from(handlerIdHash(this.config, idv.value), 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        throw new ProblemError(422, 'collector_not_handler', '领取人与经办人不符 (collector is not the handler)', "the collector's resident ID is not the handler's on the application", 'collector.idNumber');
      }
      if (name !== app.handler.name) {
        throw new ProblemError(422, 'collector_not_handler', '领取人与经办人不符 (collector is not the handler)', "the collector's name is not the handler's on the application", 'collector.name');
      }
      const now = new Date();
      const collector = { name, idNumberMasked: maskResidentId(idv.value) };
      await this.handOver(app, collector);
      app.results = { ...app.results, collectedAt: now.toISOString(), collector };
      touch(app, now);
      await journal(m, app, 'collected', actorRef(actor), { collector }, 'application.collected');
      await completeWaitingStep(m, app, 'await_collection', { collectedBy: collector }, now);
      await m.save(app);
      return this.views.load(m, app);
    });
    this.relay.kick();
    return view;
  }
}
