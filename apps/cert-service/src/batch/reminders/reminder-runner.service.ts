import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { bulkEventSubject, type CertificateEventData, type CertificateProfile, type DomainEvent } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE, LOGGER, OUTBOX_RELAY, OutboxLane, type OutboxRelay } from '@ecert/messaging';
import { effectiveStatus, type StoredCertificateStatus } from '@ecert/pki';
import { renewalWindowCutoff, renewalWindowOpensOn, type WorkingCalendar } from '@ecert/workflow';

/** Expiries further back than this get no certificate.expired (the job was off, or they predate it). */
export const EXPIRY_LOOKBACK_DAYS = 30;

interface DueRow {
  serial: string;
  ca_id: string;
  profile: CertificateProfile;
  uscc: string;
  account_no: string;
  region_code: string;
  status: StoredCertificateStatus;
  not_after: Date;
  ukey_serial: string | null;
}

export interface ReminderRunResult {
  renewalDue: number;
  expired: number;
  calendarIncomplete: boolean;
}

const COLUMNS = 'c.serial, c.ca_id, c.profile, c.uscc, c.account_no, c.region_code, c.status, c.not_after, c.ukey_serial';

/**
 * 第十七条 reminders and expiry, set-based in chunks: each certificate entering its renewal window
 * (RENEWAL_WINDOW_WORKING_DAYS before expiry, Chinese working days) gets one certificate.renewal_due,
 * each one whose notAfter passed one certificate.expired. "Once" is the mark written in the same
 * transaction as the event (renewal_due_notified_at, expiry_notified_at). Events go to the
 * outbox's bulk lane, beside a freeze's, never before it.
 */
@Injectable()
export class ReminderRunner {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(now: Date, calendar: WorkingCalendar, chunkSize = this.config.ECERT_BATCH_CHUNK_SIZE): Promise<ReminderRunResult> {
    const { expiresBefore, calendarIncomplete } = renewalWindowCutoff(calendar, now);
    if (calendarIncomplete) this.logger.warn({ expiresBefore }, 'renewal window counted over a year the calendar does not know: load its override (PUT /api/v1/calendar/{year})');
    const requestId = `reminders:${now.toISOString()}`;
    const renewalDue = await this.chunks(chunkSize, (m) =>
      this.mark(
        m,
        `c.status IN ('active','frozen') AND c.not_after > $1 AND c.not_after < $2 AND c.renewal_due_notified_at IS NULL`,
        'renewal_due_notified_at',
        [now, expiresBefore, chunkSize],
        'certificate.renewal_due',
        (r) => ({ windowOpensOn: renewalWindowOpensOn(calendar, r.not_after).opensOn }),
        now,
        requestId,
      ),
    );
    const lookback = new Date(now.getTime() - EXPIRY_LOOKBACK_DAYS * 86_400_000);
    const expired = await this.chunks(chunkSize, (m) =>
      this.mark(m, `c.status IN ('active','frozen') AND c.not_after <= $1 AND c.not_after > $2 AND c.expiry_notified_at IS NULL`, 'expiry_notified_at', [now, lookback, chunkSize], 'certificate.expired', () => ({}), now, requestId),
    );
    return { renewalDue, expired, calendarIncomplete };
  }

  private async chunks(chunkSize: number, step: (m: EntityManager) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction(step);
      total += n;
      if (n) this.relay.kick();
      if (n < chunkSize) return total;
    }
  }

  /** Marks one chunk (the condition's $1, $2; $3 is the chunk size) and writes an event for each, in the caller's transaction. */
  private async mark(
    m: EntityManager,
    condition: string,
    column: 'renewal_due_notified_at' | 'expiry_notified_at',
    params: unknown[],
    type: 'certificate.renewal_due' | 'certificate.expired',
    extra: (r: DueRow) => Record<string, unknown>,
    now: Date,
    requestId: string,
  ): Promise<number> {
    // The UPDATE's rows come back from a SELECT: TypeORM answers an UPDATE with [rows, count].
    const rows: DueRow[] = await m.query(
      `WITH due AS (SELECT c.serial FROM "cert"."certificate" c WHERE ${condition} ORDER BY c.not_after LIMIT $3 FOR UPDATE OF c SKIP LOCKED),
            marked AS (UPDATE "cert"."certificate" c SET ${column} = $1 FROM due WHERE c.serial = due.serial RETURNING ${COLUMNS})
       SELECT * FROM marked`,
      params,
    );
    if (!rows.length) return 0;
    const versions = new Map<string, number>(
      (await m.query('SELECT serial, count(*)::int AS n FROM "cert"."certificate_history" WHERE serial = ANY($1) GROUP BY serial', [rows.map((r) => r.serial)])).map(
        (r: { serial: string; n: number }) => [r.serial, r.n],
      ),
    );
    const events = rows.map((r): DomainEvent<string, CertificateEventData> => {
      const data: CertificateEventData = {
        serial: r.serial,
        caId: r.ca_id,
        profile: r.profile,
        uscc: r.uscc,
        accountNo: r.account_no,
        regionCode: r.region_code,
        status: effectiveStatus(r.status, r.not_after, now),
        notAfter: r.not_after.toISOString(),
        ...(r.ukey_serial ? { ukeySerial: r.ukey_serial } : {}),
        version: versions.get(r.serial) ?? 0,
        ...extra(r),
      };
      return { id: randomUUID(), type, version: 1, occurredAt: now.toISOString(), aggregateId: r.serial, requestId, data };
    });
    await m.query(
      `INSERT INTO "cert"."outbox" (id, subject, type, aggregate_id, payload, lane)
       SELECT id, $2, $3, aggregate_id, payload, $4 FROM unnest($1::jsonb[]) AS e(payload), LATERAL (SELECT (payload->>'id')::uuid AS id, payload->>'aggregateId' AS aggregate_id) k`,
      // Bulk subjects too: a day of reminders must not sit before a freeze in any follower's stream order.
      [events.map((e) => JSON.stringify(e)), bulkEventSubject(type), type, OutboxLane.bulk],
    );
    return rows.length;
  }
}
