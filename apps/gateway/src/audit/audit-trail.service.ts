import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { maskPersonalData, requestContext, storable, type AuditKeys } from '@ecert/common';
import { GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';
import { AUDIT_KEYS } from './audit-keys.provider';
import { writeAuditBatch, type AuditReceipt, type PendingAuditRecord } from './audit-chain-writer';

export type { AuditReceipt } from './audit-chain-writer';

export interface AuditEntry {
  action: string;
  target?: string | null;
  /** `attempted` is written before a change is made (see AuditInterceptor). */
  outcome: 'attempted' | 'success' | 'failure' | 'refused';
  details?: Record<string, unknown>;
  clientId?: string | null;
  staffId?: string | null;
  /** Who acted when no client or staff member did (an event's service). */
  actor?: string | null;
  requestId?: string | null;
  /** When it happened, if not now (an event's time). */
  at?: string;
}

/** The audit record could not be written; the caller must not report success. */
export class AuditWriteError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'AuditWriteError';
  }
}

/** Records per transaction: one multi-row INSERT (13 parameters a row, far below PostgreSQL's limit). */
const MAX_BATCH = 500;
/** Beyond this many waiting records the database is not keeping up: refuse at once rather than pile up. */
const MAX_QUEUE = 20_000;

interface Queued {
  record: PendingAuditRecord;
  resolve: (r: AuditReceipt) => void;
  reject: (e: Error) => void;
}

/**
 * Appends MAC-chained audit records (第二十一条: every action traceable). Records queue in
 * process and are written in batches: one transaction, one chain lock and one INSERT per batch,
 * with at most one batch in flight, so appending stays cheap under load and the chain stays
 * strictly ordered (queue order within a batch, lock order between batches and instances).
 * `append` resolves once its record is committed and rejects with AuditWriteError if it was not.
 * Personal data is masked before anything is stored.
 */
@Injectable()
export class AuditTrail {
  private queue: Queued[] = [];
  private draining?: Promise<void>;

  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    @Inject(AUDIT_KEYS) private readonly keys: AuditKeys,
  ) {}

  append(entry: AuditEntry): Promise<AuditReceipt> {
    if (this.queue.length >= MAX_QUEUE) {
      this.logger.error({ action: entry.action, queued: this.queue.length }, 'AUDIT WRITE FAILED: queue full');
      return Promise.reject(new AuditWriteError('the audit trail is not keeping up (queue full)'));
    }
    const record = this.pending(entry);
    return new Promise<AuditReceipt>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.drain();
    });
  }

  /**
   * Appends records in the caller's transaction (the event consumer: its inbox row and the
   * records commit together, so each event is audited exactly once). Takes the chain lock.
   */
  appendInTransaction(m: EntityManager, entries: readonly AuditEntry[]): Promise<AuditReceipt[]> {
    return writeAuditBatch(m, this.keys.macKey, entries.map((e) => this.pending(e)));
  }

  /** Resolves when every record queued so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** The record as it will be stored; the request context is read now, while it is current. */
  private pending(entry: AuditEntry): PendingAuditRecord {
    const ctx = requestContext.getStore();
    const text = (s: string | null | undefined) => (s == null ? null : storable(String(s)));
    return {
      at: entry.at ?? new Date().toISOString(),
      clientId: text(entry.clientId !== undefined ? entry.clientId : ctx?.clientId),
      staffId: text(entry.staffId !== undefined ? entry.staffId : ctx?.actor),
      actor: text(entry.actor),
      action: storable(entry.action),
      target: text(entry.target),
      outcome: entry.outcome,
      requestId: text(entry.requestId !== undefined ? entry.requestId : ctx?.requestId),
      // Exactly what jsonb gives back, so the MAC verifies on the stored copy.
      details: JSON.parse(JSON.stringify(maskPersonalData(entry.details ?? {}))),
    };
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.write(batch);
      }
    })().finally(() => {
      this.draining = undefined;
      // Appended between the loop's last look and now: start again rather than strand them.
      if (this.queue.length) this.drain();
    });
  }

  private async write(batch: Queued[]): Promise<void> {
    try {
      const receipts = await this.ds.transaction((m) => writeAuditBatch(m, this.keys.macKey, batch.map((q) => q.record)));
      batch.forEach((q, i) => q.resolve(receipts[i]));
    } catch (e) {
      // A record PostgreSQL refuses (a data exception) must not sink the others: write them one by one.
      if (batch.length > 1 && /^22/.test(pgCode(e) ?? '')) {
        for (const q of batch) await this.write([q]);
        return;
      }
      this.logger.error({ err: (e as Error).message, records: batch.length, actions: [...new Set(batch.map((q) => q.record.action))].slice(0, 10) }, 'AUDIT WRITE FAILED');
      const err = new AuditWriteError(`the audit record could not be written: ${(e as Error).message}`, e);
      for (const q of batch) q.reject(err);
    }
  }
}

function pgCode(e: unknown): string | undefined {
  const err = e as { code?: string; driverError?: { code?: string } };
  return err?.driverError?.code ?? err?.code;
}
