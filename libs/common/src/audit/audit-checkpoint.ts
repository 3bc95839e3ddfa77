import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './audit-chain';
import { signatureAlgorithm, type AuditSignatureAlgorithm } from './audit-keys';

/**
 * A signed statement "the chain `chain` had record `seq` with hash `hash` at `at`". Kept outside
 * the database (files, auditors' copies), it pins the chain: a rewrite changes the hash at `seq`,
 * a cut tail leaves `seq` beyond the table's end.
 */
export interface AuditCheckpoint {
  v: 1;
  /** Which chain (the database name): checkpoints of another deployment are not evidence here. */
  chain: string;
  seq: number;
  hash: string;
  at: string;
  macKeyId: string;
  /** SHA-256 of the signing key's SPKI, hex. */
  keyId: string;
}

export interface SignedAuditCheckpoint {
  checkpoint: AuditCheckpoint;
  algorithm: AuditSignatureAlgorithm;
  /** base64: Ed25519, or ECDSA P-256/SHA-256 DER. */
  signature: string;
}

const LABEL = 'ecert-audit-checkpoint-v1\n';

function signedBytes(cp: AuditCheckpoint): Buffer {
  return Buffer.from(LABEL + canonicalJson(cp), 'utf8');
}

export function signAuditCheckpoint(cp: AuditCheckpoint, privateKey: KeyObject): SignedAuditCheckpoint {
  const algorithm = signatureAlgorithm(privateKey);
  const signature = sign(algorithm === 'Ed25519' ? null : 'sha256', signedBytes(cp), privateKey).toString('base64');
  return { checkpoint: cp, algorithm, signature };
}

export function verifyAuditCheckpoint(signed: SignedAuditCheckpoint, publicKey: KeyObject): boolean {
  try {
    const algorithm = signatureAlgorithm(publicKey);
    if (signed.algorithm !== algorithm || !isCheckpoint(signed.checkpoint)) return false;
    return verify(algorithm === 'Ed25519' ? null : 'sha256', signedBytes(signed.checkpoint), publicKey, Buffer.from(signed.signature, 'base64'));
  } catch {
    return false;
  }
}

function isCheckpoint(c: unknown): c is AuditCheckpoint {
  const cp = c as AuditCheckpoint;
  return !!cp && cp.v === 1 && typeof cp.chain === 'string' && Number.isSafeInteger(cp.seq) && cp.seq > 0 && /^[0-9a-f]{64}$/.test(cp.hash) && typeof cp.at === 'string';
}

/** File name of a checkpoint: zero-padded so a directory listing sorts by sequence. */
export function auditCheckpointFileName(seq: number): string {
  return `checkpoint-${String(seq).padStart(15, '0')}.json`;
}

/** Parses a checkpoint file's text; undefined if it is not one. */
export function parseAuditCheckpoint(text: string): SignedAuditCheckpoint | undefined {
  try {
    const v = JSON.parse(text) as SignedAuditCheckpoint;
    return v && typeof v === 'object' && v.checkpoint && typeof v.signature === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
