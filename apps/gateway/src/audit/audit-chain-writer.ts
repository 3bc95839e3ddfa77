import type { EntityManager } from 'typeorm';
import { AUDIT_GENESIS_HASH, auditMac, type AuditRecordBody } from '@ecert/common';

/** A record waiting for its place in the chain: everything but its sequence number and predecessor. */
export type PendingAuditRecord = Omit<AuditRecordBody, 'seq' | 'prevHash'>;

export interface AuditReceipt {
  seq: number;
  hash: string;
}

/** One writer at a time per database, across every gateway instance: the chain never forks. */
export const AUDIT_CHAIN_LOCK = 'ecert-audit-chain';

/**
 * The chain lock and the head, in one round trip: two statements in one simple-protocol message.
 * Under READ COMMITTED each statement of the message takes its own snapshot, so the head is read
 * only once the lock is held. (Folding both into one statement, `SELECT … WHERE
 * pg_advisory_xact_lock(…)`, would read the head from a snapshot taken before waiting for the lock:
 * a batch that committed meanwhile would be missed and the chain would fork.)
 */
const LOCK_AND_READ_HEAD = `SELECT pg_advisory_xact_lock(hashtext('${AUDIT_CHAIN_LOCK}')); SELECT seq, hash FROM "gateway"."audit_log" ORDER BY seq DESC LIMIT 1`;

const COLUMNS = ['seq', 'at', 'client_id', 'staff_id', 'actor', 'action', 'target', 'outcome', 'request_id', 'details', 'prev_hash', 'hash', 'alg'];

/**
 * Appends `records` to the chain in order, in the caller's transaction: takes the chain lock
 * once, reads the head, MACs each record over its predecessor's MAC and inserts them all in one
 * statement. The lock is held until the caller commits, so keep the rest of that transaction short.
 */
export async function writeAuditBatch(m: EntityManager, macKey: Uint8Array, records: readonly PendingAuditRecord[]): Promise<AuditReceipt[]> {
  if (!records.length) return [];
  // TypeORM's query() drops the results of a multi-statement message: ask the transaction's client.
  const runner = m.queryRunner as unknown as { isTransactionActive?: boolean; connect(): Promise<{ query(sql: string): Promise<unknown> }> } | undefined;
  if (!runner?.isTransactionActive) throw new Error('writeAuditBatch needs the caller\'s transaction (the chain lock lasts until it commits)');
  const results = (await (await runner.connect()).query(LOCK_AND_READ_HEAD)) as { rows: { seq: string; hash: string }[] }[];
  const last = results[1]!.rows;
  let seq = last.length ? Number(last[0].seq) : 0;
  let prev = last.length ? last[0].hash : AUDIT_GENESIS_HASH;
  const params: unknown[] = [];
  const tuples: string[] = [];
  const receipts: AuditReceipt[] = [];
  for (const r of records) {
    const body: AuditRecordBody = { ...r, actor: r.actor ?? null, seq: ++seq, prevHash: prev };
    const hash = auditMac(macKey, body);
    const values = [body.seq, body.at, body.clientId, body.staffId, body.actor, body.action, body.target, body.outcome, body.requestId, JSON.stringify(body.details), body.prevHash, hash, 'hmac-sha256'];
    tuples.push(`(${values.map((_, i) => `$${params.length + i + 1}`).join(', ')})`);
    params.push(...values);
    receipts.push({ seq: body.seq, hash });
    prev = hash;
  }
  await m.query(`INSERT INTO "gateway"."audit_log" (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  return receipts;
}
