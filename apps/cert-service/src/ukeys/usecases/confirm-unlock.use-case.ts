import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { ConfirmUnlockCommand, UkeySoPinEventData, UkeyView } from '@ecert/contracts';
import { appendEvent, DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { UkeySoPinReleaseEntity } from '../ukey-so-pin-release.entity';
import { UkeyEntity } from '../ukey.entity';
import { applicationIdOf, ukeyNotFound, ukeySerialOf } from '../ukey-input';
import { assertUkeyInScope } from '../ukey-scope';
import { lockUkey } from '../ukey-steps';
import { UkeyQueries } from '../queries/ukey-queries.service';

/**
 * The unlock tool reports that it set the token's SO PIN to the `nextSoPin` of its authorisation:
 * the UKey's SO PIN generation advances past the released one (once: a repeat, or the
 * confirmation of an older authorisation, changes nothing), so the released `soPin` opens
 * nothing any more and the next authorisation releases the new pair. Accepted after the
 * authorisation expired too: it reports what the token now has.
 */
@Injectable()
export class ConfirmUnlockUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly queries: UkeyQueries,
  ) {}

  async execute(cmd: ConfirmUnlockCommand): Promise<UkeyView> {
    const applicationId = applicationIdOf(cmd?.applicationId);
    const serial = ukeySerialOf(cmd.serial);
    const view = await this.ds.transaction(async (m) => {
      const u = await lockUkey(m, serial);
      if (!u) throw ukeyNotFound(serial, 'serial');
      assertUkeyInScope(u);
      const release = await m.getRepository(UkeySoPinReleaseEntity).findOne({ where: { serial, applicationId, purpose: 'unlock' }, lock: { mode: 'pessimistic_write' } });
      if (!release) throw ProblemError.notFound(ProblemCode.unlockAuthorisationNotFound, `No unlock of UKey ${serial} was authorised for application ${applicationId}`);
      if (!release.confirmedAt) {
        release.confirmedAt = (await m.query('SELECT now() AS t'))[0].t;
        await m.save(release);
        if (u.soPinGeneration === release.generation) {
          u.soPinGeneration = release.generation + 1;
          await m.update(UkeyEntity, { serial }, { soPinGeneration: u.soPinGeneration });
          const data: UkeySoPinEventData = { serial, applicationId, purpose: 'unlock', generation: u.soPinGeneration };
          await appendEvent(m, 'ukey.so_pin_rotated', serial, data);
          // The unlock is a use of the UKey's certificates (第二十条 activity); rare, so written here.
          await m.query(
            `UPDATE "cert"."certificate" SET last_activity_at = now(), last_activity_kind = 'unlock'
              WHERE ukey_serial = $1 AND status IN ('active','frozen') AND (last_activity_at IS NULL OR last_activity_at < now())`,
            [serial],
          );
        }
      }
      return this.queries.viewOf(m, u);
    });
    this.relay.kick();
    return view;
  }
}
