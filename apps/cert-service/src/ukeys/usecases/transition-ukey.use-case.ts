import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { UKEY_ACTIONS, type UkeyAction, type UkeyTransitionCommand, type UkeyView } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { isWithinUkeyWarranty, planUkeyTransition } from '@ecert/pki';
import type { CertificateEntity } from '../../certificates/certificate.entity';
import { UkeyEntity } from '../ukey.entity';
import { applicationIdOf, bad, optionalText, ukeyNotFound, ukeySerialOf } from '../ukey-input';
import { assertUkeyInScope } from '../ukey-scope';
import { lockUkey, recordUkeyStep } from '../ukey-steps';
import { UkeyCertificates, type UkeyCertificateEffect } from '../ukey-certificates';
import { ukeyReceipts } from '../ukey-command-receipts';
import { UkeyQueries } from '../queries/ukey-queries.service';

/** Actions that have their own command, because they carry more than a state. */
const OWN_COMMAND: Partial<Record<UkeyAction, string>> = {
  initialise: 'a UKey is initialised by issuing its certificate onto it (ukeySerial and applicationId with the issuance)',
  dispatch: 'UKeys are dispatched in a dispatch batch (POST /api/v1/ukeys/dispatch-batches)',
  receive: 'UKeys arrive at the office with the receipt of their dispatch batch',
  collect: 'a UKey is collected when the city office hands it over on its application',
};

/** The illegal-transition problem: the state it is in, where the action goes, from where it is allowed. */
export function illegalUkeyTransition(serial: string, plan: { from: string; to: string; allowed: readonly string[]; message: string }, action: string, field?: string): ProblemError {
  return new ProblemError(409, ProblemCode.illegalTransition, '状态冲突 (conflict)', `UKey ${serial}: ${plan.message}`, field, {
    action,
    from: plan.from,
    to: plan.to,
    allowed: [...plan.allowed],
    currentState: plan.from,
  });
}

/**
 * One step of a UKey's life by action (assign, unassign, activate, report_lost, found,
 * declare_perm_lost, report_damaged, return, terminate), enforced by the state machine: row lock,
 * check, the step's effect on the certificates on it, history row and `ukey.transitioned` event in
 * one transaction. A wrong state is a 409 naming from, to and the states allowed; nothing changes.
 */
@Injectable()
export class TransitionUkeyUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly certificates: UkeyCertificates,
    private readonly queries: UkeyQueries,
  ) {}

  async execute(cmd: UkeyTransitionCommand): Promise<UkeyView> {
    const receipt = ukeyReceipts.claimOf('transition', cmd);
    const serial = ukeySerialOf(cmd?.serial);
    const action = cmd.action;
    if (!(UKEY_ACTIONS as readonly string[]).includes(action)) throw bad('action', `action must be one of ${UKEY_ACTIONS.join(', ')}`);
    if (OWN_COMMAND[action]) throw bad('action', `${action} is not a transition of its own: ${OWN_COMMAND[action]}`);
    const applicationId = cmd.applicationId === undefined || cmd.applicationId === null ? undefined : applicationIdOf(cmd.applicationId);
    if (action === 'assign' && !applicationId) throw bad('applicationId', 'assign needs the applicationId the UKey is assigned to');
    const reason = optionalText(cmd.reason, 'reason');
    if (action === 'report_damaged' && typeof cmd.nonHumanCause !== 'boolean') {
      throw bad('nonHumanCause', 'report_damaged needs nonHumanCause (true: the reviewer found the damage was not the user\'s doing, 第十八条)');
    }
    if (cmd.nonHumanCause !== undefined && action !== 'report_damaged') throw bad('nonHumanCause', 'nonHumanCause is recorded with report_damaged only');
    assertMayAct(action);

    let effect: UkeyCertificateEffect | undefined;
    const outcome = await this.ds.transaction(async (m) => {
      const replayed = receipt && (await ukeyReceipts.lockAndFind(m, receipt));
      if (replayed) {
        const prior = await m.findOneByOrFail(UkeyEntity, { serial: replayed });
        assertUkeyInScope(prior);
        return { view: await this.queries.viewOf(m, prior), changed: [] as CertificateEntity[] };
      }
      const u = await lockUkey(m, serial);
      if (!u) throw ukeyNotFound(serial);
      assertUkeyInScope(u);
      const plan = planUkeyTransition(action, u.state);
      if (!plan.ok) throw illegalUkeyTransition(serial, plan, action);
      const now = new Date();
      const detail: Record<string, unknown> = applicationId && action !== 'assign' ? { applicationId } : {};
      const comment = `UKey ${serial} ${action.replace(/_/g, ' ')}${reason ? `: ${reason}` : ''}`;
      let changed: CertificateEntity[] = [];
      switch (action) {
        case 'assign':
          u.applicationId = applicationId!;
          break;
        case 'unassign': {
          // A key whose SO PIN went to a production station does not go back to stock: whoever had the
          // PIN could open the next unit's token. It is produced for its application or terminated.
          const released: { n: number }[] = await m.query(`SELECT count(*)::int AS n FROM "cert"."ukey_so_pin_release" WHERE serial = $1 AND application_id = $2 AND purpose = 'production'`, [serial, u.applicationId]);
          if (released[0]!.n > 0) {
            throw ProblemError.conflict(ProblemCode.soPinAlreadyReleased, `the SO PIN of UKey ${serial} was released to a production station; it is not returned to stock (produce it for its application or terminate it)`);
          }
          detail.applicationId = u.applicationId;
          u.applicationId = null;
          break;
        }
        case 'report_lost':
          effect = { kind: 'freeze' };
          changed = await this.certificates.apply(m, serial, effect, comment);
          detail.frozen = changed.map((c) => c.serial);
          break;
        case 'found': {
          // Only what the loss report froze: a certificate frozen on its own stays frozen.
          const rows: { detail: { frozen?: string[] } | null }[] = await m.query(
            `SELECT detail FROM "cert"."ukey_history" WHERE serial = $1 AND action = 'report_lost' ORDER BY id DESC LIMIT 1`,
            [serial],
          );
          // …and still frozen by it: one unfrozen and frozen again since (a court order, say) stays frozen.
          const candidates = rows[0]?.detail?.frozen ?? [];
          const stillOurs: { serial: string }[] = candidates.length
            ? await m.query(
                `SELECT h.serial FROM unnest($1::text[]) AS c(serial)
                   JOIN LATERAL (SELECT serial, action, comment FROM "cert"."certificate_history" WHERE serial = c.serial ORDER BY id DESC LIMIT 1) h ON true
                  WHERE h.action = 'freeze' AND h.comment LIKE $2`,
                [candidates, `UKey ${serial} report lost%`],
              )
            : [];
          effect = { kind: 'unfreeze', serials: stillOurs.map((r) => r.serial) };
          changed = await this.certificates.apply(m, serial, effect, comment);
          detail.unfrozen = changed.map((c) => c.serial);
          break;
        }
        case 'declare_perm_lost':
          effect = { kind: 'revoke', reason: 'keyCompromise' };
          changed = await this.certificates.apply(m, serial, effect, comment);
          detail.revoked = changed.map((c) => c.serial);
          detail.revocationReason = 'keyCompromise';
          break;
        case 'terminate':
          // Still live: replaced (superseded), unless the key was lost (suspended): then its keys may be in other hands.
          effect = { kind: 'revoke', reason: u.state === 'suspended' ? 'keyCompromise' : 'superseded' };
          changed = await this.certificates.apply(m, serial, effect, comment);
          detail.revoked = changed.map((c) => c.serial);
          if (changed.length) detail.revocationReason = effect.reason;
          break;
        case 'report_damaged': {
          const withinWarranty = isWithinUkeyWarranty(u.warrantyUntil, now);
          u.damage = { at: now.toISOString(), nonHumanCause: cmd.nonHumanCause!, withinWarranty, ...(reason ? { reason } : {}) };
          detail.nonHumanCause = cmd.nonHumanCause;
          detail.withinWarranty = withinWarranty;
          break;
        }
        default:
          break; // activate, return: the state is the whole step
      }
      const from = u.state;
      u.state = plan.to;
      await recordUkeyStep(m, u, { action, from, reason, detail });
      if (receipt) await ukeyReceipts.record(m, receipt, serial);
      return { view: await this.queries.viewOf(m, u), changed };
    });
    await this.certificates.afterCommit(outcome.changed, effect);
    return outcome.view;
  }
}

/**
 * What each action needs of a caller acting through the gateway: a city office records a damaged
 * key's return (ukeys:return); managing keys needs ukeys:manage; an action that freezes, unfreezes
 * or revokes the certificates on a key needs certificates:manage too — it is a certificate
 * lifecycle step by another door. The workflow-service, carrying out an approved application,
 * may take every step.
 */
function assertMayAct(action: UkeyTransitionCommand['action']): void {
  const ctx = requestContext.getStore();
  if (ctx?.origin === 'workflow-service') return;
  const ops = ctx?.operations ?? [];
  const touchesCertificates = action === 'report_lost' || action === 'found' || action === 'declare_perm_lost' || action === 'terminate';
  const needed = action === 'return' ? (ops.includes('ukeys:manage') || ops.includes('ukeys:return') ? [] : ['ukeys:return']) : ['ukeys:manage', ...(touchesCertificates ? ['certificates:manage'] : [])];
  const missing = needed.filter((op) => !ops.includes(op));
  if (missing.length) {
    throw new ProblemError(403, ProblemCode.forbidden, '无权操作 (not permitted)', `${action} needs ${missing.join(' and ')}`, 'action');
  }
}
