import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { Subjects, type ApplicationView, type CompleteUnlockCommand } from '@ecert/contracts';
import { certificateFields, decodePem, possessionSignatureValid } from '@ecert/pki';
import type { ApplicationEntity } from '../entities/application.entity';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkflowBusClient } from '../workflow-bus.client';
import { completeWaitingStep } from '../../fulfilment/fulfilment-engine';
import { ukeySerialOf } from '../application-input';
import { assertApplicationUkey, assertUnlockActor } from '../unlock-rules';


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

  /**
   * The UKey's own key signed the completion challenge after the reset (the tool logged in with the
   * new PIN): without it a caller could advance the SO PIN generation past the token's and lock
   * remote unlock out for good.
   */
  private async assertProven(app: ApplicationEntity, signature: unknown): Promise<void> {
    const refuse = (detail: string) => new ProblemError(422, 'unlock_not_proven', '解锁未经介质证明 (unlock not proven by the UKey)', detail, 'signature');
    const challenge = app.production?.completionChallenge;
    if (!challenge) throw refuse('no unlock authorisation was issued for this application');
    if (app.production?.challengeExpiresAt && new Date(app.production.challengeExpiresAt) < new Date(Date.now() - 60 * 60_000)) throw refuse('the authorisation is long expired: file a new unlock application');
    if (typeof signature !== 'string' || !/^[A-Za-z0-9+/=]{16,2048}$/.test(signature)) throw refuse('signature (base64) over the completion challenge is required');
    const cert = await this.bus.getCertificate(app.targetSerial!);
    const spki = certificateFields(decodePem(cert.certificatePem, ['CERTIFICATE']).der).spki;
    if (!possessionSignatureValid(spki, new Uint8Array(Buffer.from(challenge, 'base64')), new Uint8Array(Buffer.from(signature, 'base64')))) {
      throw refuse(`the signature does not verify with the key of certificate ${cert.serial} on the UKey`);
    }
  }

  async execute(cmd: CompleteUnlockCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const serial = ukeySerialOf(cmd.ukeySerial);
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      assertUnlockActor(actor, app, 'the unlock is completed by the office staff or the system that filed it');
      if (app.type !== 'unlock' || app.status !== 'awaiting_production') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is not an approved unlock waiting for its tool`);
      assertApplicationUkey(app, serial);
      await this.assertProven(app, cmd.signature);
      await this.bus.call(Subjects.cert.ukeyUnlockConfirm, { applicationId: id, serial });
      const now = new Date();
      app.results = { ...app.results, ukeySerial: serial };
      app.production = { ...app.production!, completionChallenge: undefined };
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
