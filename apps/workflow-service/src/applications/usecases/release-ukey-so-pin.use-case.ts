import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { Subjects, type ApplicationUkeyCommand, type UnlockAuthorisationView } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { assertTierScope } from '@ecert/workflow';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { WorkflowBusClient } from '../workflow-bus.client';
import { ukeySerialOf } from '../application-input';
import { assertApplicationUkey, assertUnlockActor } from '../unlock-rules';

const forbidden = (detail: string) => new ProblemError(403, ProblemCode.forbidden, '无权获取管理员PIN (not permitted to have the SO PIN)', detail);

/**
 * A UKey's SO (administrator) PIN leaves the platform only to carry out an approved application
 * at the step that needs it: the production station initialising a fresh UKey (CA operator,
 * application awaiting production), or the unlock tool resetting a locked user PIN (an approved
 * unlock, on the UKey holding the application's certificate). The cert-service derives the PIN,
 * releases it once per application and UKey and records it; this service decides whether the
 * application is at that step, and the timeline notes the release (never the PIN).
 */
@Injectable()
export class ReleaseUkeySoPinUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly bus: WorkflowBusClient,
  ) {}

  production(cmd: ApplicationUkeyCommand): Promise<{ serial: string; soPin: string }> {
    return this.release(cmd, 'production');
  }

  unlock(cmd: ApplicationUkeyCommand): Promise<UnlockAuthorisationView> {
    return this.release(cmd, 'unlock');
  }

  private async release<T>(cmd: ApplicationUkeyCommand, purpose: 'production' | 'unlock'): Promise<T> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const serial = ukeySerialOf(cmd.ukeySerial);
    return this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      if (purpose === 'production') {
        if (!actor.staffId || actor.role !== 'ca_operator') throw forbidden('the SO PIN of a fresh UKey goes to a CA operator logged in with their certificate');
        assertTierScope(actor, 'province', app.regionCode);
        if (app.status !== 'awaiting_production' || app.type === 'unlock') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is not awaiting production of a UKey`);
      } else {
        if (app.type !== 'unlock') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is a ${app.type}, not an unlock`);
        if (app.status !== 'awaiting_production') throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is ${app.status}; the unlock is authorised once it is approved`);
        assertUnlockActor(actor, app, 'the unlock authorisation goes to the office staff or to the system that filed the application');
        assertApplicationUkey(app, serial);
      }
      const subject = purpose === 'production' ? Subjects.cert.ukeyProductionSoPin : Subjects.cert.ukeyUnlockAuthorisation;
      // The cert-service gives SO PINs to the workflow-service alone; the caller's own context rides
      // along, so the release is recorded to the staff member and checked against their scope.
      const released = await this.bus.call<T>(subject, { applicationId: id, serial });
      await journal(m, app, purpose === 'production' ? 'so_pin_released_for_production' : 'unlock_authorised', actorRef(actor), { ukeySerial: serial });
      if (purpose === 'production') return released;
      // The completion must prove the reset happened on the token: its key signs this afterwards.
      const completionChallenge = randomBytes(32).toString('base64');
      const auth = released as unknown as UnlockAuthorisationView;
      app.production = { ukeySerial: serial, at: new Date().toISOString(), by: actor.staffId ?? actor.clientId ?? null, completionChallenge, challengeExpiresAt: auth.expiresAt };
      touch(app);
      await m.save(app);
      return { ...auth, completionChallenge } as T;
    });
  }
}
