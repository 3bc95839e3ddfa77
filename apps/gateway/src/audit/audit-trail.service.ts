import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { AUDIT_GENESIS_HASH, auditHash, maskPersonalData, requestContext, type AuditRecordBody } from '@ecert/common';
import { GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';

export interface AuditEntry {
  action: string;
  target?: string | null;
  outcome: 'success' | 'failure' | 'refused';
  details?: Record<string, unknown>;
  clientId?: string | null;
  staffId?: string | null;
}

/**
 * Appends hash-chained audit records (第二十一条: every action traceable). One writer at a time per
 * database (advisory lock), so the chain has no forks; personal data is masked before it is stored.
 */
@Injectable()
export class AuditTrail {
  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async append(entry: AuditEntry): Promise<void> {
    const ctx = requestContext.getStore();
    try {
      await this.ds.transaction(async (m) => {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ecert-audit-chain']);
        const last: { seq: string; hash: string }[] = await m.query('SELECT seq, hash FROM "gateway"."audit_log" ORDER BY seq DESC LIMIT 1');
        const body: AuditRecordBody = {
          seq: last.length ? Number(last[0].seq) + 1 : 1,
          at: new Date().toISOString(),
          clientId: entry.clientId !== undefined ? entry.clientId : (ctx?.clientId ?? null),
          staffId: entry.staffId !== undefined ? entry.staffId : (ctx?.actor ?? null),
          action: entry.action,
          target: entry.target ?? null,
          outcome: entry.outcome,
          requestId: ctx?.requestId ?? null,
          details: maskPersonalData(entry.details ?? {}),
          prevHash: last.length ? last[0].hash : AUDIT_GENESIS_HASH,
        };
        await m.query(
          `INSERT INTO "gateway"."audit_log" (seq, at, client_id, staff_id, action, target, outcome, request_id, details, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [body.seq, body.at, body.clientId, body.staffId, body.action, body.target, body.outcome, body.requestId, JSON.stringify(body.details), body.prevHash, auditHash(body)],
        );
      });
    } catch (e) {
      // An audit failure is loud but must not turn a completed change into an error for the caller.
      this.logger.error({ err: (e as Error).message, action: entry.action }, 'AUDIT WRITE FAILED');
    }
  }
}

/** Reads the chain back in pages, in the shape verifyAuditChain walks. */
export async function* readAuditChain(ds: DataSource, pageSize = 5000): AsyncGenerator<AuditRecordBody & { hash: string }> {
  let after = 0;
  for (;;) {
    const rows: Record<string, unknown>[] = await ds.query(
      `SELECT seq, at, client_id, staff_id, action, target, outcome, request_id, details, prev_hash, hash
         FROM "gateway"."audit_log" WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, pageSize],
    );
    if (!rows.length) return;
    for (const r of rows) {
      yield {
        seq: Number(r.seq),
        at: (r.at as Date).toISOString(),
        clientId: (r.client_id as string) ?? null,
        staffId: (r.staff_id as string) ?? null,
        action: r.action as string,
        target: (r.target as string) ?? null,
        outcome: r.outcome as string,
        requestId: (r.request_id as string) ?? null,
        details: r.details,
        prevHash: r.prev_hash as string,
        hash: r.hash as string,
      };
    }
    after = Number(rows[rows.length - 1].seq);
  }
}
