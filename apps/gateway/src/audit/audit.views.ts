import type { AuditSignatureAlgorithm, SignedAuditCheckpoint } from '@ecert/common';

/** One record of the audit trail (MAC-chained: `hash` covers it and the record before). */
export interface AuditRecordView {
  seq: number;
  at: string;
  clientId: string | null;
  staffId: string | null;
  /** Who acted when neither a client system nor a staff member did (the schedule, the gateway). */
  actor: string | null;
  /** e.g. `POST /api/v1/certificates/:serial/revoke`, `auth.login`, `access.refused`. */
  action: string;
  target: string | null;
  outcome: 'attempted' | 'success' | 'failure' | 'refused';
  requestId: string | null;
  /** What the record keeps of the request (bodies masked) or of its outcome. */
  details: Record<string, unknown> | null;
  hash: string;
}

/** GET /api/v1/audit/checkpoints. */
export interface AuditCheckpointsView {
  /** The chain's name (the database): checkpoints of another deployment are not evidence here. */
  chain: string;
  /** SHA-256 of the checkpoint key's SPKI, hex. */
  keyId: string;
  /** Oldest first. */
  items: SignedAuditCheckpoint[];
}

/** GET /api/v1/audit/checkpoint-key. */
export interface AuditCheckpointKeyView {
  chain: string;
  algorithm: AuditSignatureAlgorithm;
  keyId: string;
  publicKeyPem: string;
}
