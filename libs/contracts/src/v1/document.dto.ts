/**
 * Sealing PDF documents (issue 11): what crosses NATS between the gateway and the seal-service.
 * Document bytes never do: the gateway puts an upload into the document store and commands name
 * its SHA-256 (registration, verification) or the registered document's id (everything else).
 */
import type { IdempotentCommand } from './idempotency';
import type { SealKind, SealStatus } from './seal.dto';

/** Who did something: the acting client system, or the staff member (one of the two). */
export interface DocumentActor {
  clientId?: string;
  staffId?: string;
}

/**
 * The signature container of a seal, by the key family of its certificate (docs/documents.md):
 * `pades` = PAdES baseline B-B (CAdES detached, SubFilter ETSI.CAdES.detached) for ECDSA/RSA;
 * `gbt35275` = a GB/T 35275 SignedData (SM2/SM3 OIDs, SubFilter adbe.pkcs7.detached) for SM2.
 */
export const SIGNATURE_FAMILIES = ['pades', 'gbt35275'] as const;
export type SignatureFamily = (typeof SIGNATURE_FAMILIES)[number];

export type DocumentDigestAlgorithm = 'sha256' | 'sm3';

/** A registered PDF: an upload, or the sealed result of one (derivedFrom). */
export interface DocumentView {
  id: string;
  /** SHA-256 of the bytes (the document store's id). */
  sha256: string;
  size: number;
  pages: number;
  /** The upload's file name, sanitised (a sealed result: the original's, with `-sealed`). */
  fileName?: string;
  uploadedBy: DocumentActor;
  uploadedAt: string;
  /** Kept at least until then (DOCUMENT_RETENTION_DAYS after the upload or sealing). */
  retainedUntil: string;
  /** When retention removed it: its record stays, the PDF is gone (a download is a 410 document_purged). */
  purgedAt?: string;
  /** The document this one was sealed from. */
  derivedFrom?: string;
  /** For a sealed result: the signature that made it. */
  sealing?: DocumentSealingView;
}

export interface DocumentSealingView {
  sealId: string;
  sealUseRequestId: string;
  certificateSerial: string;
  fieldName: string;
  family: SignatureFamily;
  subFilter: string;
  mode: SealingMode;
  sealedAt: string;
}

/** Subjects.seal.documentRegister: the gateway stored the upload; the seal-service checks and registers it. */
export interface RegisterDocumentCommand {
  sha256: string;
  fileName?: string;
}

export interface DocumentIdQuery {
  id: string;
}

/** Subjects.seal.documentDownload: where the gateway finds the bytes the caller may download. */
export interface DocumentContentView {
  id: string;
  sha256: string;
  size: number;
  contentType: 'application/pdf';
  /** Suggested download name (ASCII-safe). */
  fileName: string;
}

// ---------------------------------------------------------------------------------------------
// Where the seal goes

/**
 * One placement of the seal, at its printed size (the seal's widthMm × heightMm). Coordinates are
 * millimetres from the top-left corner of the page as displayed (rotation and CropBox applied);
 * pages count from 1.
 * - `coordinates`: the seal's centre at (xMm, yMm) on `page`;
 * - `keyword`: centred on an occurrence of the text (found with positions, CJK included), moved by
 *   offsetXMm/offsetYMm (right/down positive); the first occurrence or every one, on the pages
 *   listed or all;
 * - `cross-page` (骑缝章): the picture cut into one slice per page, each slice on the right edge of
 *   its page, centred vertically at yMm (default the middle); all pages or those listed (≥ 2).
 */
export type PlacementSpec =
  | { type: 'coordinates'; page: number; xMm: number; yMm: number }
  | { type: 'keyword'; keyword: string; occurrence?: 'first' | 'all'; offsetXMm?: number; offsetYMm?: number; pages?: number[] }
  | { type: 'cross-page'; pages?: number[]; yMm?: number };

export const PLACEMENT_TYPES = ['coordinates', 'keyword', 'cross-page'] as const;
/** At most this many placements in one request, and this many boxes once keywords are resolved. */
export const MAX_PLACEMENTS = 20;
export const MAX_RESOLVED_PLACEMENTS = 200;

/** A placement resolved to a box on a page (what libs/pdf draws); `slice` for cross-page slices. */
export interface ResolvedPlacementView {
  page: number;
  xMm: number;
  yMm: number;
  widthMm: number;
  heightMm: number;
  slice?: { index: number; of: number };
}

// ---------------------------------------------------------------------------------------------
// Rules of use (第十四条, 第十六条)

export interface SealUsePrincipals {
  staffIds: string[];
  clientIds: string[];
}

/**
 * Subjects.seal.documentUseRulePut: who may use a seal and whether each use needs approval, set
 * by the unit's administrator (a caller holding seals:manage-use in the seal's region: the HRSS
 * business system serving the unit, or the office's staff). Replaces the whole rule.
 */
export interface PutSealUseRuleCommand {
  sealId: string;
  /** Who may ask to use the seal and seal with it (at most 100 of each). */
  users: SealUsePrincipals;
  /** Who decides requests; none listed = the unit's administrators (seals:manage-use in the region). */
  approvers: SealUsePrincipals;
  /** false: a request is approved when made (still recorded, single-use, bound to the document). */
  approvalRequired: boolean;
  /** The version last read, for a change that must not overwrite another (absent: any). */
  expectedVersion?: number;
}

export interface SealUseRuleQuery {
  sealId: string;
}

export interface SealUseRuleView {
  sealId: string;
  users: SealUsePrincipals;
  approvers: SealUsePrincipals;
  approvalRequired: boolean;
  version: number;
  updatedAt: string;
  updatedBy: DocumentActor;
}

export const SEAL_USE_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'used', 'expired'] as const;
export type SealUseRequestStatus = (typeof SEAL_USE_REQUEST_STATUSES)[number];

/** Subjects.seal.documentUseRequestCreate: ask to put `sealId` on exactly this document, there, for that. */
export interface CreateSealUseRequestCommand {
  documentId: string;
  sealId: string;
  placements: PlacementSpec[];
  /** What the document is and why it is sealed (1-500 characters): shown to the approver. */
  purpose: string;
}

export interface DecideSealUseRequestCommand {
  id: string;
  decision: 'approve' | 'reject';
  /** Required with reject. */
  reason?: string;
  /** How long an approval may be used (minutes, 1-43200, default 1440 = one day). */
  validForMinutes?: number;
}

export interface SealUseRequestIdQuery {
  id: string;
}

export interface ListSealUseRequestsQuery {
  sealId?: string;
  documentId?: string;
  status?: SealUseRequestStatus;
  page?: number;
  pageSize?: number;
}

export interface SealUseRequestView {
  id: string;
  sealId: string;
  seal: { name: string; kind: SealKind; uscc: string; regionCode: string };
  documentId: string;
  /** The exact bytes approved: only a document with this SHA-256 may be sealed with it. */
  documentSha256: string;
  placements: PlacementSpec[];
  purpose: string;
  /** `expired`: approved but not used in time (derived). */
  status: SealUseRequestStatus;
  requestedBy: DocumentActor;
  requestedAt: string;
  decision?: {
    decision: 'approve' | 'reject';
    /** `rule`: approved on creation because the rule needs no approval. */
    by: DocumentActor | 'rule';
    reason?: string;
    at: string;
  };
  /** An approval is usable until then. */
  expiresAt?: string;
  usedAt?: string;
  sealedDocumentId?: string;
}

// ---------------------------------------------------------------------------------------------
// Sealing

export const SEALING_MODES = ['server', 'deferred'] as const;
export type SealingMode = (typeof SEALING_MODES)[number];

/**
 * Subjects.seal.documentSeal (POST /documents/{id}/seal-requests): seal with an approved seal-use
 * request. `server`: in one call, for a certificate whose key the platform holds (an office's own
 * seal); `deferred`: prepare and return the data to sign, for a key on a UKey.
 */
export interface SealDocumentCommand extends IdempotentCommand {
  documentId: string;
  sealId: string;
  sealUseRequestId: string;
  mode: SealingMode;
  /** Must be the request's placements if given (they are what was approved). */
  placements?: PlacementSpec[];
  /** /Reason and /Location of the signature (default: the request's purpose; none). */
  reason?: string;
  location?: string;
}

/** A deferred signing session: sign `dataToSign` with the seal's key (on the UKey), then embed. */
export interface SealSessionView {
  sessionId: string;
  documentId: string;
  sealId: string;
  sealUseRequestId: string;
  certificateSerial: string;
  family: SignatureFamily;
  subFilter: string;
  /** Base64 DER of the CMS signed attributes (a SET): what the key signs. */
  dataToSign: string;
  /** Base64 of its digest, for a token that signs a digest. */
  digestToSign: string;
  digestAlgorithm: DocumentDigestAlgorithm;
  /** e.g. SM2 with SM3 and the default user ID 1234567812345678; ECDSA with SHA-256; RSA PKCS#1 v1.5 with SHA-256. */
  signatureAlgorithm: 'sm2-with-sm3' | 'ecdsa-with-sha256' | 'sha256-with-rsa';
  placements: ResolvedPlacementView[];
  expiresAt: string;
  /**
   * SM2 seals only: the GB/T 38540 TBS_Sign of the SES_Signature that goes with the CMS (the seal,
   * the time, SM3 of the ByteRange, the signature field) — a second signature by the same key,
   * sent back as `sesSignature`.
   */
  ses?: {
    /** Base64 DER TBS_Sign: what the key signs (SM2 with SM3, user ID 1234567812345678). */
    dataToSign: string;
    /** Base64 e = SM3(Z ‖ dataToSign), for a token that signs a digest. */
    digestToSign: string;
  };
}

export type SealDocumentReply = { mode: 'server'; sealed: SealedDocumentView } | { mode: 'deferred'; session: SealSessionView };

/** Subjects.seal.documentEmbed (POST /documents/seal-sessions/{id}/signature). */
export interface EmbedSignatureCommand {
  sessionId: string;
  /** Base64 of the signature over dataToSign: DER SEQUENCE{r,s} (SM2, ECDSA) or r‖s, or the RSA value. */
  signature: string;
  /** Base64 of the signature over `ses.dataToSign` (required when the session has `ses`): DER or r‖s. */
  sesSignature?: string;
}

export interface SealedDocumentView {
  /** The sealed result, a new document derived from the one sealed. */
  document: DocumentView;
  signature: {
    fieldName: string;
    family: SignatureFamily;
    subFilter: string;
    sealId: string;
    certificateSerial: string;
    placements: ResolvedPlacementView[];
  };
}

// ---------------------------------------------------------------------------------------------
// Verification (DSS vocabulary)

export const DOCUMENT_INDICATIONS = ['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE'] as const;
export type DocumentIndication = (typeof DOCUMENT_INDICATIONS)[number];

/**
 * The sub-indications ecert reports (ETSI EN 319 102-1 / DSS), a documented subset:
 * TOTAL_FAILED — FORMAT_FAILURE (the ByteRange does not cover the file but the signature value,
 * the container cannot be read, or the document was changed after signing beyond signatures and
 * annotations), HASH_FAILURE (the signed bytes' digest is not the signed one), SIG_CRYPTO_FAILURE
 * (the signature value does not verify with the signer's key);
 * INDETERMINATE — NO_CERTIFICATE_CHAIN_FOUND (no path to ecert's roots), NO_SIGNING_CERTIFICATE_FOUND,
 * REVOKED_NO_POE (revoked, no proof the signature existed before), REVOKED_CA_NO_POE (its CA is
 * revoked), OUT_OF_BOUNDS_NO_POE (the certificate expired, no proof of existence within its
 * validity), TRY_LATER (the status is unknown now: frozen/挂失, or the cert-service did not answer).
 */
export const SUB_INDICATIONS = [
  'FORMAT_FAILURE',
  'HASH_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'NO_SIGNING_CERTIFICATE_FOUND',
  'REVOKED_NO_POE',
  'REVOKED_CA_NO_POE',
  'OUT_OF_BOUNDS_NO_POE',
  'TRY_LATER',
] as const;
export type SubIndication = (typeof SUB_INDICATIONS)[number];

/** Subjects.seal.documentVerify: the gateway stored the upload; the seal-service verifies it. */
export interface VerifyDocumentCommand {
  sha256: string;
  fileName?: string;
}

export interface VerificationReportQuery {
  id: string;
}

export interface SignatureCheckView {
  name: 'byte-range' | 'format' | 'digest' | 'signature' | 'chain' | 'revocation' | 'modifications' | 'seal' | 'timestamp' | 'ses-signature';
  result: 'passed' | 'failed' | 'indeterminate' | 'warning';
  detail: string;
}

export interface SignatureReportView {
  fieldName: string;
  subFilter?: string;
  /** gbt35275 for SM2 (either OID family), pades for CAdES, or what the SubFilter says. */
  family?: SignatureFamily;
  indication: DocumentIndication;
  subIndication?: SubIndication;
  /** One sentence a person can act on. */
  reason: string;
  /** The PDF pages its widget is on. */
  pages: number[];
  byteRange: number[];
  digestAlgorithm?: DocumentDigestAlgorithm;
  signer?: { subject: string; issuer: string; serial: string; notBefore: string; notAfter: string };
  /** ecert's record of the certificate (for one it issued), asked now. */
  certificateStatus?: { status: string; revokedAt?: string; frozenAt?: string; issuerRevoked?: true } | 'unknown';
  /** The chain to one of ecert's root CAs, leaf first, by subject. */
  chain?: string[];
  /** The seal this signature carries, as ecert knows it (its own tables). */
  seal?: { sealId: string; name: string; kind: SealKind; status: SealStatus; uscc: string; unitName: string };
  /** An RFC 3161 timestamp over the signature value (PAdES B-T), as found in the container. */
  timestamp?: { genTime?: string; tsa?: string; valid: boolean; /** The TSA is trusted (ECERT_TSA_TRUST): genTime is a proof of existence. */ trusted: boolean; problems: string[] };
  /**
   * The time the certificate chain and status were judged at, and why: the earliest proof of
   * existence (ecert's sealing record, or a trusted timestamp's genTime), else now.
   */
  validatedAt?: { time: string; basis: 'ecert-record' | 'timestamp' | 'now'; detail: string };
  /**
   * The GB/T 38540 SES_Signature carried with the CMS (SM2 seals; unsigned attribute
   * 2.25.301494466639598324738376717041953068967), checked by libs/ses: its signature by the
   * signer, the seal inside (maker signature and trust), dataHash = SM3 of the ByteRange, and its
   * signer being the CMS signer.
   */
  sesSignature?: {
    indication: DocumentIndication;
    signingTime?: string;
    propertyInfo?: string;
    signer?: string;
    /** The seal inside, as libs/ses judged it; sealId when it is a seal ecert made (same esID and bytes). */
    seal: { esId: string; name: string; indication: DocumentIndication; maker?: string; validStart?: string; validEnd?: string; sealId?: string };
    /**
     * When the SES_Signature was judged: it is an unsigned attribute, so neither the CMS timestamp
     * nor a record of another SES_Signature proves it; only ecert's record of this very one
     * (ses_sha256) does, else now.
     */
    validatedAt: { time: string; basis: 'ecert-record' | 'now' };
    /** libs/ses's checks (format, signer-signature, signer-certificate, signer-key-usage, signer-bound-to-seal, seal, data-hash), same-signer, and the seal's own as seal.*. */
    checks: { name: string; result: 'passed' | 'failed' | 'indeterminate' | 'warning'; detail: string }[];
    warnings: string[];
  };
  /** ecert sealed this very signature: when (its proof of existence) and into which document. */
  ecertRecord?: { sealedAt: string; documentId: string; sealUseRequestId: string; mode: SealingMode };
  /** Incremental updates after this signature's revision, and whether they only add signatures or annotations. */
  laterRevisions: { addsOnlySignaturesOrAnnotations: boolean; changedObjects: number; changes: string[] }[];
  checks: SignatureCheckView[];
  warnings: string[];
}

export interface DocumentVerificationReport {
  id: string;
  documentSha256: string;
  size: number;
  fileName?: string;
  validationTime: string;
  /** TOTAL_PASSED only when there are signatures and every one passed. */
  indication: DocumentIndication;
  reason: string;
  trustAnchors: string[];
  /** Set when ecert registered these very bytes (e.g. a sealed result it made). */
  ecertDocumentId?: string;
  signatures: SignatureReportView[];
  policy: string;
}

// ---------------------------------------------------------------------------------------------
// Events and problems

/** Events the seal-service writes for documents (subjects `<prefix>.evt.v1.document.*`). */
export const DOCUMENT_EVENT_TYPES = [
  'document.registered',
  'document.seal-use-rule-changed',
  'document.seal-use-requested',
  'document.seal-use-decided',
  'document.sealed',
  'document.purged',
] as const;
export type DocumentEventType = (typeof DOCUMENT_EVENT_TYPES)[number];

/** One chunk of the retention sweep: the documents past retention marked purged, and the contents removed from the store. */
export interface DocumentPurgedEventData {
  documentIds: string[];
  /** SHA-256s whose bytes were removed (no other live record used them). */
  removedSha256s: string[];
  /** SHA-256s kept because another live record (document, open session, material) still uses them. */
  keptSha256s: string[];
  /** The time the sweep judged retention by. */
  asOf: string;
}

export interface DocumentSealedEventData {
  documentId: string;
  derivedFrom: string;
  sha256: string;
  sealId: string;
  sealUseRequestId: string;
  certificateSerial: string;
  uscc: string;
  regionCode: string;
  family: SignatureFamily;
  mode: SealingMode;
  fieldName: string;
}

export const DocumentProblemCode = {
  documentNotFound: 'document_not_found',
  /** Past its retention the document's bytes were removed (410); its record and signatures stay. */
  documentPurged: 'document_purged',
  /** Not a PDF (judged by content). */
  documentTypeUnsupported: 'document_type_unsupported',
  /** libs/pdf could not read it: broken, encrypted, or a structure ecert does not seal. */
  pdfMalformed: 'pdf_malformed',
  pdfEncrypted: 'pdf_encrypted',
  pdfUnsupported: 'pdf_unsupported',
  /** A seal would land on a page with no text and no image (第十四条: never on a blank form). */
  pdfBlankPage: 'pdf_blank_page',
  pdfPageOutOfRange: 'pdf_page_out_of_range',
  pdfKeywordNotFound: 'pdf_keyword_not_found',
  sealNotActive: 'seal_not_active',
  /** The seal has no rule of use yet: nobody may use it. */
  sealUseRuleMissing: 'seal_use_rule_missing',
  /** The caller is not one of the rule's users (or approvers). */
  sealUseNotPermitted: 'seal_use_not_permitted',
  sealUseRequestNotFound: 'seal_use_request_not_found',
  sealUseRequestNotApproved: 'seal_use_request_not_approved',
  sealUseRequestUsed: 'seal_use_request_used',
  sealUseRequestExpired: 'seal_use_request_expired',
  /** The request is for another document (SHA-256), seal or placement. */
  sealUseRequestMismatch: 'seal_use_request_mismatch',
  sealUseRequestDecided: 'seal_use_request_decided',
  /** Requester and approver are the same principal. */
  sealUseSelfApproval: 'seal_use_self_approval',
  /** The certificate's key is on a UKey: use mode=deferred. */
  deferredSigningRequired: 'deferred_signing_required',
  sealSessionNotFound: 'seal_session_not_found',
  sealSessionExpired: 'seal_session_expired',
  sealSessionUsed: 'seal_session_used',
  /** The signature does not verify over dataToSign with the seal's certificate. */
  signatureInvalid: 'signature_invalid',
  verificationReportNotFound: 'verification_report_not_found',
  ruleVersionConflict: 'seal_use_rule_version_conflict',
} as const;
