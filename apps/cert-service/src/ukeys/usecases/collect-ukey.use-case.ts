import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { CollectUkeyCommand, UkeyView } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { planUkeyTransition, ukeyWarrantyUntil } from '@ecert/pki';
import { UkeyEntity } from '../ukey.entity';
import { applicationIdOf, bad, requiredText, ukeyNotFound, ukeySerialOf } from '../ukey-input';
import { assertUkeyInScope } from '../ukey-scope';
import { lockUkey, recordUkeyStep } from '../ukey-steps';
import { ukeyReceipts } from '../ukey-command-receipts';
import { UkeyQueries } from '../queries/ukey-queries.service';
import { illegalUkeyTransition } from './transition-ukey.use-case';

/**
 * 领取 (第十二条): the handler collected the UKey at the city office. Only the workflow-service
 * sends it (the bus policy), as the last step of the application the UKey was made for, after it
 * checked the collector against the application's handler. at_office → collected: the collector,
 * the time and the acting staff are recorded, and the warranty runs a year from today (China).
 */
@Injectable()
export class CollectUkeyUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly queries: UkeyQueries,
  ) {}

  async execute(cmd: CollectUkeyCommand): Promise<UkeyView> {
    const receipt = ukeyReceipts.claimOf('collect', cmd);
    const serial = ukeySerialOf(cmd?.serial);
    const applicationId = applicationIdOf(cmd.applicationId);
    if (!cmd.collector || typeof cmd.collector !== 'object') throw bad('collector', 'collector must name the person ({ name, idNumberMasked })');
    const collector = { name: requiredText(cmd.collector.name, 'collector.name'), idNumberMasked: requiredText(cmd.collector.idNumberMasked, 'collector.idNumberMasked', 32) };
    // A masked number only: the full resident ID never reaches the cert-service's UKey records.
    if (!/^[0-9Xx*]{4,32}$/.test(collector.idNumberMasked) || !collector.idNumberMasked.includes('*')) {
      throw bad('collector.idNumberMasked', 'collector.idNumberMasked must be a masked resident ID (digits and *)');
    }
    const view = await this.ds.transaction(async (m) => {
      const replayed = receipt && (await ukeyReceipts.lockAndFind(m, receipt));
      if (replayed) {
        const prior = await m.findOneByOrFail(UkeyEntity, { serial: replayed });
        assertUkeyInScope(prior);
        return this.queries.viewOf(m, prior);
      }
      const u = await lockUkey(m, serial);
      if (!u) throw ukeyNotFound(serial);
      assertUkeyInScope(u);
      if (u.applicationId !== applicationId) {
        throw ProblemError.conflict(ProblemCode.ukeyApplicationMismatch, `UKey ${serial} was made for ${u.applicationId ? `application ${u.applicationId}` : 'no application'}, not ${applicationId}`);
      }
      const plan = planUkeyTransition('collect', u.state);
      if (!plan.ok) throw illegalUkeyTransition(serial, plan, 'collect');
      const now: Date = (await m.query('SELECT now() AS t'))[0].t;
      u.collectedAt = now;
      u.collector = { ...collector, staffId: requestContext.getStore()?.actor ?? null };
      u.warrantyUntil = ukeyWarrantyUntil(now);
      const from = u.state;
      u.state = plan.to;
      await recordUkeyStep(m, u, { action: 'collect', from, detail: { applicationId, collectedAt: now.toISOString(), warrantyUntil: u.warrantyUntil } });
      if (receipt) await ukeyReceipts.record(m, receipt, serial);
      return this.queries.viewOf(m, u);
    });
    this.relay.kick();
    return view;
  }
}
