import { createHash, createHmac } from 'node:crypto';

/** How a record's `hash` was made: unkeyed SHA-256 (records written before issue 8) or HMAC-SHA256. */
export type AuditAlgorithm = 'sha256' | 'hmac-sha256';
export const AUDIT_ALGORITHMS: readonly AuditAlgorithm[] = ['sha256', 'hmac-sha256'];

/** The fields of an audit record that its hash covers (everything but the hash itself). */
export interface AuditRecordBody {
  seq: number;
  at: string;
  clientId: string | null;
  staffId: string | null;
  /**
   * Who acted when neither a client nor a staff member did (an event's actor, else the service
   * that made the change). Keyed records always cover it; legacy records only when set.
   */
  actor?: string | null;
  action: string;
  target: string | null;
  outcome: string;
  requestId: string | null;
  details: unknown;
  prevHash: string;
}

/** A record as stored: its body, how it was hashed, and the hash. */
export interface StoredAuditRecord extends AuditRecordBody {
  alg: AuditAlgorithm;
  hash: string;
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
 * Legacy (unkeyed) record hash: content plus the previous hash. Anyone who can write the table
 * can recompute it, which is why new records are keyed (auditMac); it stays to verify old rows.
 */
export function auditHash(body: AuditRecordBody): string {
  const { actor, ...rest } = body;
  return createHash('sha256').update(canonicalJson(actor == null ? rest : body)).digest('hex');
}

/** Domain label, so an audit MAC can never be mistaken for another use of the same key. */
const MAC_LABEL = 'ecert-audit-record-v2\n';

/**
 * Keyed record hash: HMAC-SHA256 over the canonical body (previous hash included). Without the
 * key, editing a record and re-hashing everything after it produces MACs that do not verify.
 */
export function auditMac(key: Uint8Array, body: AuditRecordBody): string {
  return createHmac('sha256', key)
    .update(MAC_LABEL + canonicalJson({ ...body, actor: body.actor ?? null }))
    .digest('hex');
}

/** The hash a record with this algorithm must carry. */
export function auditRecordHash(alg: AuditAlgorithm, body: AuditRecordBody, macKey: Uint8Array): string {
  return alg === 'hmac-sha256' ? auditMac(macKey, body) : auditHash(body);
}
