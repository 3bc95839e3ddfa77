import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { CommandClaim } from '@ecert/database';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { planTransition, serialKey, type LifecycleAction, type StoredCertificateStatus } from '@ecert/pki';
import { CertificateEntity } from './certificate.entity';
import { recordHistory } from './certificate-history.writer';
import { RevocationChangeNotifier } from '../revocation/revocation-change.notifier';
import { certificateReceipts, type CertificateCommand } from './certificate-command-receipts';

export const SERIAL_PATTERN = /^[0-9a-f]{2,40}$/;

export function normalizeSerial(serial: unknown): string {
  const s = typeof serial === 'string' ? serial.trim().toLowerCase().replace(/:/g, '') : '';
  if (!SERIAL_PATTERN.test(s)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'serial', 'serial must be 2-40 hexadecimal digits');
  // The same key CRL and OCSP code use, so "00ab…" and "ab…" name one certificate.
  return serialKey(s);
}

/**
 * The serial as the caller wrote it (trimmed), for what is said back: "000abc" is not found as
 * "000abc", not as its lookup key "0abc". Called after normalizeSerial accepted it.
 */
export function serialAsSent(serial: unknown): string {
  const s = typeof serial === 'string' ? serial.trim() : String(serial);
  return s.length <= 64 ? s : `${s.slice(0, 64)}…`;
}

export interface TransitionSpec {
  action: LifecycleAction;
  reason?: string | null;
  comment?: string | null;
  /** Mutates the locked row to its new state (status is set by the runner). */
  apply(row: CertificateEntity, now: Date, to: StoredCertificateStatus): void;
  /**
   * Extra writes in the same transaction (events, a successor certificate...); returns the
   * certificate the command results in when that is not the row itself (a renewal's successor).
   */
  after(m: EntityManager, row: CertificateEntity, before: StoredCertificateStatus): Promise<CertificateEntity | void>;
  /** The command's receipt, when it came with an idempotency key. */
  receipt?: CommandClaim<CertificateCommand>;
}

export interface TransitionOutcome {
  /** The certificate whose status changed. */
  row: CertificateEntity;
  /** What the command results in (the row, or a renewal's successor). */
  result: CertificateEntity;
}

/**
 * Runs one lifecycle transition: row lock, state-machine check, update, history, event, all in
 * one transaction. The row lock makes two concurrent conflicting requests queue: the second
 * sees the first one's result and is refused with 409. A command with an idempotency key that
 * already ran changes nothing and answers with the certificate it resulted in, as it is now.
 */
@Injectable()
export class CertificateTransitionRunner {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly notifier: RevocationChangeNotifier,
  ) {}

  /** The certificate the command results in (the row, or what `after` returned). */
  async run(serialInput: unknown, spec: TransitionSpec): Promise<CertificateEntity> {
    // A malformed serial is refused before any transaction; transitionIn keeps the caller's spelling for its 404.
    normalizeSerial(serialInput);
    const outcome = await this.ds.transaction(async (m): Promise<{ replayed: CertificateEntity } | TransitionOutcome> => {
      // First of all locks: a retry queued behind its first attempt finds the receipt once that commits.
      const recorded = spec.receipt && (await certificateReceipts.lockAndFind(m, spec.receipt));
      if (recorded) {
        const prior = await m.findOneByOrFail(CertificateEntity, { serial: recorded });
        assertInScope(requestContext.getStore(), prior.regionCode, `certificate ${recorded}`);
        return { replayed: prior };
      }
      return this.transitionIn(m, serialInput, spec);
    });
    if ('replayed' in outcome) return outcome.replayed;
    await this.afterCommit([outcome.row], spec.action !== 'unfreeze');
    return outcome.result;
  }

  /**
   * The transition inside the caller's transaction, for a step that moves several certificates
   * together with something else (a UKey reported lost freezes all of its certificates): the
   * caller calls `afterCommit` with the rows once its transaction committed.
   */
  async transitionIn(m: EntityManager, serialInput: unknown, spec: TransitionSpec): Promise<TransitionOutcome> {
    const serial = normalizeSerial(serialInput);
    const row = await m.getRepository(CertificateEntity).findOne({ where: { serial }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw ProblemError.notFound(ProblemCode.certificateNotFound, `No certificate with serial ${serialAsSent(serialInput)}`);
    assertInScope(requestContext.getStore(), row.regionCode, `certificate ${serial}`);
    const now = new Date();
    const plan = planTransition(spec.action, row.status, row.notAfter, now);
    if (!plan.ok) {
      throw ProblemError.conflict(ProblemCode.illegalTransition, plan.message, { currentStatus: plan.reason === 'expired' ? 'expired' : row.status });
    }
    const before = row.status;
    spec.apply(row, now, plan.to);
    row.status = plan.to;
    // A lifecycle service is activity of the certificate (第二十条); the row is written anyway.
    if (!row.lastActivityAt || row.lastActivityAt < now) {
      row.lastActivityAt = now;
      row.lastActivityKind = 'lifecycle';
      row.lastActivityClient = null;
    }
    row.statusChangedAt = (await m.query('SELECT clock_timestamp() AS t'))[0].t;
    const saved = await m.save(row);
    await recordHistory(m, { serial, action: spec.action, fromStatus: before, toStatus: plan.to, reason: spec.reason, comment: spec.comment });
    const result = (await spec.after(m, saved, before)) ?? saved;
    if (spec.receipt) await certificateReceipts.record(m, spec.receipt, result.serial);
    return { row: saved, result };
  }

  /** Once the transaction committed: events go out, and OCSP caches and CRLs learn of the changed certificates. */
  async afterCommit(rows: readonly CertificateEntity[], addsEntries: boolean): Promise<void> {
    this.relay.kick();
    if (rows.length) await this.notifier.changed([...new Set(rows.map((r) => r.caId))], rows.map((r) => r.serial), addsEntries);
  }
}
