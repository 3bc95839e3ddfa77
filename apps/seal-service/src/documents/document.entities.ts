import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DocumentDigestAlgorithm, DocumentIndication, PlacementSpec, ResolvedPlacementView, SealingMode, SignatureFamily } from '@ecert/contracts';

/** bigint columns come back as strings from pg: read as numbers (documents stay far below 2^53 bytes). */
const bigintNumber = { to: (v: number) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };
const bigintArray = { to: (v: number[]) => v, from: (v: (string | number)[] | null) => (v ?? []).map(Number) };

/** A registered PDF (an upload to seal, or a sealed result): bytes in the document store under sha256. */
@Entity({ name: 'document' })
export class DocumentEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  size: number;

  @Column({ type: 'int' })
  pages: number;

  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName: string | null;

  @Column({ name: 'uploaded_by_client', type: 'text', nullable: true })
  uploadedByClient: string | null;

  @Column({ name: 'uploaded_by_staff', type: 'text', nullable: true })
  uploadedByStaff: string | null;

  @Column({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt: Date;

  @Column({ name: 'retained_until', type: 'timestamptz' })
  retainedUntil: Date;

  @Column({ name: 'derived_from', type: 'uuid', nullable: true })
  derivedFrom: string | null;

  /** Set by retention: the bytes are gone (unless another live record uses them), the record stays. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;
}

/** Who may use a seal and whether a use needs approval (第十四条, 第十六条). */
@Entity({ name: 'seal_use_rule' })
export class SealUseRuleEntity {
  @PrimaryColumn('uuid', { name: 'seal_id' })
  sealId: string;

  @Column({ name: 'user_staff_ids', type: 'text', array: true })
  userStaffIds: string[];

  @Column({ name: 'user_client_ids', type: 'text', array: true })
  userClientIds: string[];

  @Column({ name: 'approver_staff_ids', type: 'text', array: true })
  approverStaffIds: string[];

  @Column({ name: 'approver_client_ids', type: 'text', array: true })
  approverClientIds: string[];

  @Column({ name: 'approval_required', type: 'boolean' })
  approvalRequired: boolean;

  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'updated_by_client', type: 'text', nullable: true })
  updatedByClient: string | null;

  @Column({ name: 'updated_by_staff', type: 'text', nullable: true })
  updatedByStaff: string | null;
}

export type StoredSealUseRequestStatus = 'pending' | 'approved' | 'rejected' | 'used';

/** A request to put a seal on exactly one document (by SHA-256), at given places, for a purpose. */
@Entity({ name: 'seal_use_request' })
export class SealUseRequestEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'seal_id', type: 'uuid' })
  sealId: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId: string;

  @Column({ name: 'document_sha256', type: 'text' })
  documentSha256: string;

  @Column({ type: 'jsonb' })
  placements: PlacementSpec[];

  @Column({ type: 'text' })
  purpose: string;

  @Column({ type: 'text' })
  status: StoredSealUseRequestStatus;

  @Column({ name: 'requested_by_client', type: 'text', nullable: true })
  requestedByClient: string | null;

  @Column({ name: 'requested_by_staff', type: 'text', nullable: true })
  requestedByStaff: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  @Column({ type: 'text', nullable: true })
  decision: 'approve' | 'reject' | null;

  @Column({ name: 'decided_by_client', type: 'text', nullable: true })
  decidedByClient: string | null;

  @Column({ name: 'decided_by_staff', type: 'text', nullable: true })
  decidedByStaff: string | null;

  @Column({ name: 'decided_by_rule', type: 'boolean', default: false })
  decidedByRule: boolean;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'sealed_document_id', type: 'uuid', nullable: true })
  sealedDocumentId: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;
}

/** A deferred signing session: the prepared PDF (in the store) and the signed attributes the UKey signs. */
@Entity({ name: 'seal_session' })
export class SealSessionEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'seal_use_request_id', type: 'uuid' })
  sealUseRequestId: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId: string;

  @Column({ name: 'seal_id', type: 'uuid' })
  sealId: string;

  @Column({ name: 'certificate_serial', type: 'text' })
  certificateSerial: string;

  @Column({ name: 'prepared_sha256', type: 'text' })
  preparedSha256: string;

  @Column({ name: 'byte_range', type: 'bigint', array: true, transformer: bigintArray })
  byteRange: number[];

  @Column({ name: 'contents_offset', type: 'bigint', transformer: bigintNumber })
  contentsOffset: number;

  @Column({ name: 'contents_length', type: 'int' })
  contentsLength: number;

  @Column({ name: 'field_name', type: 'text' })
  fieldName: string;

  @Column({ type: 'text' })
  family: SignatureFamily;

  @Column({ name: 'sub_filter', type: 'text' })
  subFilter: string;

  @Column({ name: 'digest_algorithm', type: 'text' })
  digestAlgorithm: DocumentDigestAlgorithm;

  @Column({ name: 'signed_attributes', type: 'bytea' })
  signedAttributes: Buffer;

  @Column({ name: 'data_to_sign', type: 'bytea' })
  dataToSign: Buffer;

  @Column({ name: 'digest_to_sign', type: 'bytea' })
  digestToSign: Buffer;

  /** SM2 seals: the GB/T 38540 TBS_Sign the UKey signs too, and its digest e = SM3(Z ‖ TBS_Sign). */
  @Column({ name: 'ses_data_to_sign', type: 'bytea', nullable: true })
  sesDataToSign: Buffer | null;

  @Column({ name: 'ses_digest_to_sign', type: 'bytea', nullable: true })
  sesDigestToSign: Buffer | null;

  @Column({ type: 'jsonb' })
  placements: ResolvedPlacementView[];

  @Column({ name: 'created_by_client', type: 'text', nullable: true })
  createdByClient: string | null;

  @Column({ name: 'created_by_staff', type: 'text', nullable: true })
  createdByStaff: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'sealed_document_id', type: 'uuid', nullable: true })
  sealedDocumentId: string | null;
}

/** A signature ecert put into a document: what, with which seal, when (its own proof of existence). */
@Entity({ name: 'document_signature' })
export class DocumentSignatureEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId: string;

  @Column({ name: 'source_document_id', type: 'uuid' })
  sourceDocumentId: string;

  @Column({ name: 'seal_id', type: 'uuid' })
  sealId: string;

  @Column({ name: 'seal_use_request_id', type: 'uuid' })
  sealUseRequestId: string;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ name: 'certificate_serial', type: 'text' })
  certificateSerial: string;

  @Column({ name: 'field_name', type: 'text' })
  fieldName: string;

  @Column({ type: 'text' })
  family: SignatureFamily;

  @Column({ name: 'sub_filter', type: 'text' })
  subFilter: string;

  @Column({ type: 'text' })
  mode: SealingMode;

  /** SHA-256 of the CMS SignedData (the /Contents value): how verification finds this record. */
  @Column({ name: 'cms_sha256', type: 'text' })
  cmsSha256: string;

  /** SHA-256 of the SES_Signature embedded with the CMS (SM2 seals), null for none. */
  @Column({ name: 'ses_sha256', type: 'text', nullable: true })
  sesSha256: string | null;

  /** SHA-256 of the SignerInfo signature value: finds the record when unsigned attributes changed. */
  @Column({ name: 'signature_value_sha256', type: 'text', nullable: true })
  signatureValueSha256: string | null;

  @Column({ type: 'jsonb' })
  placements: ResolvedPlacementView[];

  @Column({ name: 'sealed_at', type: 'timestamptz' })
  sealedAt: Date;

  @Column({ name: 'sealed_by_client', type: 'text', nullable: true })
  sealedByClient: string | null;

  @Column({ name: 'sealed_by_staff', type: 'text', nullable: true })
  sealedByStaff: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;
}

/** A verification report as it was given (JSON; rendered as HTML by the gateway). */
@Entity({ name: 'verification_report' })
export class VerificationReportEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'document_sha256', type: 'text' })
  documentSha256: string;

  @Column({ type: 'text' })
  indication: DocumentIndication;

  @Column({ type: 'jsonb' })
  report: unknown;

  @Column({ name: 'created_by_client', type: 'text', nullable: true })
  createdByClient: string | null;

  @Column({ name: 'created_by_staff', type: 'text', nullable: true })
  createdByStaff: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export const DOCUMENT_ENTITIES = [DocumentEntity, SealUseRuleEntity, SealUseRequestEntity, SealSessionEntity, DocumentSignatureEntity, VerificationReportEntity];
