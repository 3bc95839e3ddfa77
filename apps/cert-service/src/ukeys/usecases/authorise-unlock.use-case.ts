import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { IssueUnlockAuthorisationCommand, UnlockAuthorisationView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { UKEY_HELD_STATES } from '@ecert/pki';
import { applicationIdOf, ukeyNotFound, ukeySerialOf } from '../ukey-input';
import { assertUkeyInScope } from '../ukey-scope';
import { lockUkey } from '../ukey-steps';
import { UkeySoPins } from '../ukey-so-pins.service';
import { recordSoPinRelease } from '../so-pin-release';

/**
 * 解锁: the one-time authorisation of an approved unlock application (only the workflow-service may
 * ask: bus policy): the SO PIN of the UKey's current generation g and that of g + 1, expiring in
 * 10 minutes, once per application (a second is a 409 `unlock_already_authorised`). The tool sets
 * the token's SO PIN to g + 1 and confirms; the generation advances at that confirmation
 * (ConfirmUnlockUseCase), not here, so a tool that failed before touching the token leaves the
 * platform and the token agreeing, and the next application is answered with the same pair.
 */
@Injectable()
export class AuthoriseUnlockUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly pins: UkeySoPins,
  ) {}

  async execute(cmd: IssueUnlockAuthorisationCommand): Promise<UnlockAuthorisationView> {
    const applicationId = applicationIdOf(cmd?.applicationId);
    const serial = ukeySerialOf(cmd.serial);
    const release = await this.ds.transaction(async (m) => {
      const u = await lockUkey(m, serial);
      if (!u) throw ukeyNotFound(serial, 'serial');
      assertUkeyInScope(u);
      if (!UKEY_HELD_STATES.includes(u.state)) {
        throw ProblemError.conflict(ProblemCode.ukeyStateConflict, `UKey ${serial} is ${u.state}: only a UKey in the unit's hands (collected or in use) is unlocked`, {
          state: u.state,
          allowed: [...UKEY_HELD_STATES],
        });
      }
      const r = await recordSoPinRelease(m, { serial, applicationId, purpose: 'unlock', generation: u.soPinGeneration });
      if (!r) throw ProblemError.conflict(ProblemCode.unlockAlreadyAuthorised, `The unlock of UKey ${serial} was already authorised for application ${applicationId}: an authorisation is released once`);
      return r;
    });
    this.relay.kick();
    return {
      serial,
      applicationId,
      soPin: this.pins.soPin(serial, release.generation),
      nextSoPin: this.pins.soPin(serial, release.generation + 1),
      expiresAt: release.expiresAt.toISOString(),
    };
  }
}
