import type { DataSource } from 'typeorm';
import type { AuditAlgorithm, StoredAuditRecord } from '@ecert/common';

const SELECT = `SELECT seq, at, client_id, staff_id, actor, action, target, outcome, request_id, details, prev_hash, hash, alg FROM "gateway"."audit_log"`;

export function toStoredRecord(r: Record<string, unknown>): StoredAuditRecord {
  const alg = r.alg as AuditAlgorithm;
  return {
    seq: Number(r.seq),
    at: (r.at as Date).toISOString(),
    clientId: (r.client_id as string) ?? null,
    staffId: (r.staff_id as string) ?? null,
    // Legacy records were hashed without the field: it counts only if someone set it since.
    ...(alg === 'sha256' && r.actor == null ? {} : { actor: (r.actor as string) ?? null }),
    action: r.action as string,
    target: (r.target as string) ?? null,
    outcome: r.outcome as string,
    requestId: (r.request_id as string) ?? null,
    details: r.details,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
    alg,
  };
}

/** Reads the chain back in pages, in the shape verifyAuditChain walks. */
export async function* readAuditChain(ds: DataSource, pageSize = 5000): AsyncGenerator<StoredAuditRecord> {
  let after = 0;
  for (;;) {
    const rows: Record<string, unknown>[] = await ds.query(`${SELECT} WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, pageSize]);
    if (!rows.length) return;
    for (const r of rows) yield toStoredRecord(r);
    after = Number(rows[rows.length - 1].seq);
  }
}

/** The newest record, or undefined for an empty chain. */
export async function readAuditHead(ds: Pick<DataSource, 'query'>): Promise<StoredAuditRecord | undefined> {
  const rows: Record<string, unknown>[] = await ds.query(`${SELECT} ORDER BY seq DESC LIMIT 1`);
  return rows.length ? toStoredRecord(rows[0]) : undefined;
}
