import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { ProductionSoPinCommand, ProductionSoPinView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { applicationIdOf, ukeyNotFound, ukeySerialOf } from '../ukey-input';
import { assertUkeyInScope } from '../ukey-scope';
import { lockUkey, recordUkeyStep } from '../ukey-steps';
import { UkeySoPins } from '../ukey-so-pins.service';
import { recordSoPinRelease } from '../so-pin-release';
import { UkeySoPinReleaseEntity } from '../ukey-so-pin-release.entity';

/**
 * The production station's SO PIN: the one it initialises a fresh token with (C_InitToken), for an
 * application the workflow-service says is at its production step (only it may ask: bus policy).
 * The UKey must be in stock (it is assigned to the application now, in the same transaction) or
 * assigned to that application; the release is recorded once per application and UKey (asked
 * again before it expires, while the UKey is still only assigned, the same release is answered: a
 * station that crashed before initialising may start over; after that, a 409) and the PIN is
 * derived, never stored. The generation stays: the token will have it.
 */
@Injectable()
export class ReleaseProductionSoPinUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly pins: UkeySoPins,
  ) {}

  async execute(cmd: ProductionSoPinCommand): Promise<ProductionSoPinView> {
    const applicationId = applicationIdOf(cmd?.applicationId);
    const serial = ukeySerialOf(cmd.serial);
    const release = await this.ds.transaction(async (m) => {
      const u = await lockUkey(m, serial);
      if (!u) throw ukeyNotFound(serial, 'serial');
      assertUkeyInScope(u);
      if (u.state === 'in_stock') {
        // One UKey per application: an application cannot collect the SO PINs of the stock.
        const other: { serial: string }[] = await m.query(`SELECT serial FROM "cert"."ukey" WHERE application_id = $1 AND serial <> $2 LIMIT 1`, [applicationId, serial]);
        if (other.length) throw ProblemError.conflict(ProblemCode.ukeyApplicationMismatch, `application ${applicationId} is produced onto UKey ${other[0]!.serial} already`);
        u.applicationId = applicationId;
        u.state = 'assigned';
        await recordUkeyStep(m, u, { action: 'assign', from: 'in_stock', detail: { applicationId, by: 'production SO PIN release' } });
      } else if (u.state !== 'assigned') {
        throw ProblemError.conflict(ProblemCode.ukeyStateConflict, `UKey ${serial} is ${u.state}: only a UKey in stock or assigned to the application is initialised`, { state: u.state, allowed: ['in_stock', 'assigned'] });
      } else if (u.applicationId !== applicationId) {
        throw ProblemError.conflict(ProblemCode.ukeyApplicationMismatch, `UKey ${serial} is assigned to another application`);
      }
      const r = await recordSoPinRelease(m, { serial, applicationId, purpose: 'production', generation: u.soPinGeneration });
      if (r) return r;
      // A station that stopped before initialising the token asks again: while the UKey is still
      // only assigned (nothing written on it) and the first release has not expired, the same PIN.
      const first = await m.findOneBy(UkeySoPinReleaseEntity, { serial, applicationId, purpose: 'production' });
      const [{ now }] = await m.query('SELECT now() AS now');
      if (first && first.expiresAt > now) return first;
      throw ProblemError.conflict(ProblemCode.soPinAlreadyReleased, `The SO PIN of UKey ${serial} was released for application ${applicationId} and its release has expired`);
    });
    this.relay.kick();
    return { serial, applicationId, soPin: this.pins.soPin(serial, release.generation), expiresAt: release.expiresAt.toISOString() };
  }
}
