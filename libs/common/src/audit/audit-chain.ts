import { createHash } from 'node:crypto';

/** The fields of an audit record that its hash covers (everything but the hash itself). */
export interface AuditRecordBody {
  seq: number;
  at: string;
  clientId: string | null;
  staffId: string | null;
  action: string;
  target: string | null;
  outcome: string;
  requestId: string | null;
  details: unknown;
  prevHash: string;
}

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys at every level, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/**
 * Each record's hash covers its content and the previous record's hash, so editing, deleting or
 * reordering any record breaks every hash after it.
 */
export function auditHash(body: AuditRecordBody): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface AuditChainBreak {
  seq: number;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';
  detail: string;
}

/**
 * Walks records in sequence order and reports the first break, or undefined for an intact chain.
 * Works on any async iterable so the caller can stream millions of rows in pages.
 */
export async function verifyAuditChain(records: AsyncIterable<AuditRecordBody & { hash: string }>): Promise<{ checked: number; break?: AuditChainBreak }> {
  let prev = AUDIT_GENESIS_HASH;
  let expectedSeq: number | undefined;
  let checked = 0;
  for await (const r of records) {
    if (expectedSeq !== undefined && r.seq !== expectedSeq) {
      return { checked, break: { seq: expectedSeq, reason: 'sequence_gap', detail: `record ${expectedSeq} is missing (next is ${r.seq})` } };
    }
    if (r.prevHash !== prev) {
      return { checked, break: { seq: r.seq, reason: 'prev_hash_mismatch', detail: `record ${r.seq} does not follow the record before it` } };
    }
    const { hash, ...body } = r;
    if (auditHash(body) !== hash) {
      return { checked, break: { seq: r.seq, reason: 'hash_mismatch', detail: `record ${r.seq} was changed after it was written` } };
    }
    prev = hash;
    expectedSeq = r.seq + 1;
    checked++;
  }
  return { checked };
}
