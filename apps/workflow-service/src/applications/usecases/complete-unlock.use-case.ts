import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { Subjects, type ApplicationUkeyCommand, type ApplicationView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { assertTierScope } from '@ecert/workflow';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkflowBusClient } from '../workflow-bus.client';
import { completeWaitingStep } from '../../fulfilment/fulfilment-engine';

const forbidden = (detail: string) => new ProblemError(403, ProblemCode.forbidden, '无权完成解锁 (not permitted to complete the unlock)', detail);

/**
 * The unlock tool reset the user PIN and set the next SO PIN on the token: the cert-service
 * advances the UKey's SO PIN generation (the released PIN opens nothing any more), and the unlock
 * application completes. Whoever may fetch the authorisation may complete it.
 */
@Injectable()
export class CompleteUnlockUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly bus: WorkflowBusClient,
    private readonly views: ApplicationViewMapper,
  ) {}

  async execute(cmd: ApplicationUkeyCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const serial = typeof cmd.ukeySerial === 'string' ? cmd.ukeySerial.trim() : '';
    if (!/^[0-9A-Za-z-]{4,64}$/.test(serial)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'ukeySerial', 'ukeySerial must be 4-64 letters, digits or hyphens');
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      if (actor.clientId ? app.filedByClient !== actor.clientId : !actor.staffId) throw forbidden('the unlock is completed by the office staff or the system that filed it');
      if (actor.staffId) assertTierScope(actor, actor.role === 'ca_operator' ? 'province' : 'city', app.regionCode);
      if (app.type !== 'unlock' || app.status !== 'awaiting_production') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is not an approved unlock waiting for its tool`);
      // Only the UKey the application's certificate is on: an unlock opens nothing else.
        if (app.targetUkeySerial !== serial) throw new ProblemError(422, 'ukey_not_of_application', '介质不符 (not the application\'s UKey)', app.targetUkeySerial ? `the application is about UKey ${app.targetUkeySerial}` : 'the certificate of this application is on no UKey the platform knows', 'ukeySerial');
      await this.bus.call(Subjects.cert.ukeyUnlockConfirm, { applicationId: id, serial });
      const now = new Date();
      app.results = { ...app.results, ukeySerial: serial };
      touch(app, now);
      await journal(m, app, 'unlocked', actorRef(actor), { ukeySerial: serial });
      await completeWaitingStep(m, app, 'await_production', { unlocked: serial }, now);
      await m.save(app);
      return this.views.load(m, app);
    });
    this.relay.kick();
    return view;
  }
}
