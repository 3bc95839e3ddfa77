import type { KeyObject } from 'node:crypto';
import { AUDIT_ALGORITHMS, AUDIT_GENESIS_HASH, auditHash, auditMac, type StoredAuditRecord } from './audit-chain';
import { verifyAuditCheckpoint, type SignedAuditCheckpoint } from './audit-checkpoint';
import { macKeyId } from './audit-keys';

export type AuditChainBreakReason =
  /** A record's content does not match its hash/MAC: edited, or re-hashed without the key. */
  | 'hash_mismatch'
  /** A record does not name the one before it as its predecessor: reordered or spliced. */
  | 'prev_hash_mismatch'
  /** A sequence number is missing: a record was deleted. */
  | 'sequence_gap'
  /**
   * An unkeyed record beyond the legacy boundary (`legacyUntil`) or after keyed ones: re-hashed by
   * someone without the key.
   */
  | 'downgraded'
  | 'unknown_algorithm'
  /** A checkpoint whose signature does not verify: the external copy was tampered with. */
  | 'checkpoint_signature_invalid'
  /** Two validly signed checkpoints disagree about one record: the chain was forked. */
  | 'checkpoint_conflict'
  /** The record a checkpoint names has another hash now: the chain was rewritten. */
  | 'checkpoint_mismatch'
  /** A checkpoint names a record beyond the chain's end: the tail was cut. */
  | 'truncated'
  /** Checkpoints were made under another MAC key than the one given. */
  | 'wrong_key';

export interface AuditChainBreak {
  seq: number;
  reason: AuditChainBreakReason;
  detail: string;
}

export interface AuditVerifyOptions {
  /** Which chain this is; checkpoints of other chains are ignored (counted as foreign). */
  chain: string;
  /** The MAC key. Without it (an auditor holding only the public key) MACs are not checked. */
  macKey?: Uint8Array;
  checkpoints?: readonly SignedAuditCheckpoint[];
  /** Verifies the checkpoints; required when checkpoints are given. */
  publicKey?: KeyObject;
  /**
   * The last record written before the chain was keyed (ECERT_AUDIT_LEGACY_UNTIL). It comes from
   * configuration, never from the records: any unkeyed record beyond it is `downgraded`, so a chain
   * rewritten entirely as unkeyed records does not pass. Default 0: no record may be unkeyed.
   */
  legacyUntil?: number;
}

export interface AuditVerifyResult {
  checked: number;
  /** Intact records hashed without a key (written before the chain was keyed). */
  legacy: number;
  /** The legacy boundary verified against: unkeyed records were accepted up to this seq only. */
  legacyUntil: number;
  head?: { seq: number; hash: string };
  checkpoints: { verified: number; foreign: number; latest?: number };
  /** Records after the newest checkpoint: cutting them off is not detectable yet. */
  unanchored: number;
  break?: AuditChainBreak;
}

type Checked = { ok: SignedAuditCheckpoint[]; foreign: number; break?: AuditChainBreak };

function checkCheckpoints(opts: AuditVerifyOptions): Checked {
  const bySeq = new Map<number, SignedAuditCheckpoint>();
  let foreign = 0;
  const keyId = opts.macKey ? macKeyId(opts.macKey) : undefined;
  for (const cp of opts.checkpoints ?? []) {
    if (cp.checkpoint?.chain !== opts.chain) {
      foreign++;
      continue;
    }
    const seq = cp.checkpoint.seq;
    if (!opts.publicKey || !verifyAuditCheckpoint(cp, opts.publicKey)) {
      return { ok: [], foreign, break: { seq, reason: 'checkpoint_signature_invalid', detail: `the checkpoint for record ${seq} is not signed by the audit checkpoint key` } };
    }
    if (keyId && cp.checkpoint.macKeyId !== keyId) {
      return { ok: [], foreign, break: { seq, reason: 'wrong_key', detail: `the checkpoint for record ${seq} was made under MAC key ${cp.checkpoint.macKeyId}, not the configured one (${keyId})` } };
    }
    const seen = bySeq.get(seq);
    if (seen && seen.checkpoint.hash !== cp.checkpoint.hash) {
      return { ok: [], foreign, break: { seq, reason: 'checkpoint_conflict', detail: `two signed checkpoints give record ${seq} different hashes: the chain was forked` } };
    }
    bySeq.set(seq, cp);
  }
  return { ok: [...bySeq.values()].sort((a, b) => a.checkpoint.seq - b.checkpoint.seq), foreign };
}

/**
 * Walks records in sequence order and reports the first break, or none for an intact chain:
 * every record must follow its predecessor, carry a valid MAC (or, up to `legacyUntil`, before the
 * chain was keyed, a valid SHA-256), and agree with every signed checkpoint; no checkpoint may lie beyond the end.
 * Works on any async iterable so the caller can stream millions of rows in pages.
 */
export async function verifyAuditChain(records: AsyncIterable<StoredAuditRecord>, opts: AuditVerifyOptions): Promise<AuditVerifyResult> {
  const cps = checkCheckpoints(opts);
  const legacyUntil = opts.legacyUntil ?? 0;
  const result: AuditVerifyResult = { checked: 0, legacy: 0, legacyUntil, checkpoints: { verified: cps.ok.length, foreign: cps.foreign, latest: cps.ok.at(-1)?.checkpoint.seq }, unanchored: 0 };
  if (cps.break) return { ...result, checkpoints: { ...result.checkpoints, verified: 0 }, break: cps.break };
  const fail = (b: AuditChainBreak) => ({ ...result, break: b });
  let prev = AUDIT_GENESIS_HASH;
  let expected = 1;
  let keyed = false;
  let next = 0;
  let anchored = 0;
  for await (const r of records) {
    if (r.seq !== expected) {
      return fail({ seq: expected, reason: 'sequence_gap', detail: `record ${expected} is missing (next is ${r.seq})` });
    }
    if (!AUDIT_ALGORITHMS.includes(r.alg)) return fail({ seq: r.seq, reason: 'unknown_algorithm', detail: `record ${r.seq} claims algorithm ${String(r.alg)}` });
    if (r.alg === 'sha256' && (keyed || r.seq > legacyUntil)) {
      const why = keyed ? 'keyed records precede it' : `only records up to ${legacyUntil} may be unkeyed (ECERT_AUDIT_LEGACY_UNTIL)`;
      return fail({ seq: r.seq, reason: 'downgraded', detail: `record ${r.seq} is unkeyed although ${why}: re-hashed without the key` });
    }
    if (r.prevHash !== prev) {
      return fail({ seq: r.seq, reason: 'prev_hash_mismatch', detail: `record ${r.seq} does not follow the record before it` });
    }
    const { hash, alg: _alg, ...body } = r;
    if (r.alg === 'hmac-sha256') {
      keyed = true;
      if (opts.macKey && auditMac(opts.macKey, body) !== hash) {
        return fail({ seq: r.seq, reason: 'hash_mismatch', detail: `record ${r.seq} was changed after it was written (its MAC does not verify)` });
      }
    } else {
      if (auditHash(body) !== hash) return fail({ seq: r.seq, reason: 'hash_mismatch', detail: `record ${r.seq} was changed after it was written` });
      result.legacy++;
    }
    const cp = cps.ok[next]?.checkpoint;
    if (cp && cp.seq === r.seq) {
      if (cp.hash !== hash) {
        return fail({ seq: r.seq, reason: 'checkpoint_mismatch', detail: `record ${r.seq} has another hash than the checkpoint signed at ${cp.at}: the chain was rewritten` });
      }
      anchored = r.seq;
      next++;
    }
    prev = hash;
    expected++;
    result.checked++;
    result.head = { seq: r.seq, hash };
  }
  const beyond = cps.ok[next]?.checkpoint;
  if (beyond) {
    return fail({ seq: expected, reason: 'truncated', detail: `the chain ends at record ${expected - 1} but the checkpoint signed at ${beyond.at} names record ${beyond.seq}: records were cut off` });
  }
  result.unanchored = (result.head?.seq ?? 0) - anchored;
  return result;
}
