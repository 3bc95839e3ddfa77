/**
 * Electronic seals (电子印章, GB/T 38540-2020): what crosses NATS between the gateway, the
 * seal-service and the cert-service. Binary data travels base64-encoded inside JSON.
 */
import type { CertificateProfile, CertificateStatus } from './certificate.dto';
import type { IdempotentCommand } from './idempotency';

/**
 * Seal kinds. official = 单位法定名称章; department = 内设机构章; branch = 分支机构章;
 * special = 专用章 (with a purpose); position = 职务章 (法定代表人, 财务负责人…); personal = 普通电子名章.
 */
export const SEAL_KINDS = ['official', 'department', 'branch', 'special', 'position', 'personal'] as const;
export type SealKind = (typeof SEAL_KINDS)[number];

/** Purposes of a special seal (专用章): 合同, 财务, 发票, 审计, 报关. */
export const SEAL_PURPOSES = ['contract', 'finance', 'invoice', 'audit', 'customs'] as const;
export type SealPurpose = (typeof SEAL_PURPOSES)[number];

/** Which certificate profile each kind binds to (official family → unit; position, personal → personal). */
export const SEAL_KIND_PROFILE: Record<SealKind, CertificateProfile> = {
  official: 'unit',
  department: 'unit',
  branch: 'unit',
  special: 'unit',
  position: 'personal',
  personal: 'personal',
};

/**
 * GB/T 38540 `property.type` codes ecert writes. 1-5 follow the codes in common use by Chinese seal
 * systems (1 法定名称章, 2 财务专用章, 3 发票专用章, 4 合同专用章, 5 业务专用章 such as 报关/审计);
 * the others are ecert's own (the standard leaves the code list to the application).
 */
export const SEAL_TYPE_CODES = {
  official: 1,
  'special:finance': 2,
  'special:invoice': 3,
  'special:contract': 4,
  'special:customs': 5,
  'special:audit': 5,
  department: 6,
  branch: 7,
  position: 21,
  personal: 22,
} as const;

export function sealTypeCode(kind: SealKind, purpose?: SealPurpose): number {
  if (kind === 'special') return SEAL_TYPE_CODES[`special:${purpose ?? 'contract'}`];
  return SEAL_TYPE_CODES[kind];
}

/**
 * active; suspended while the bound certificate is frozen (挂失); revoked with it (permanent);
 * retired when a renewal replaced it with a seal for the new certificate; expired past validTo (derived).
 */
export const SEAL_STATUSES = ['active', 'suspended', 'revoked', 'retired', 'expired'] as const;
export type SealStatus = (typeof SEAL_STATUSES)[number];

/** A drawn seal picture: round when widthMm = heightMm, else oval. */
export interface GenerateSealImageOptions {
  /** A horizontal line under the star, e.g. 合同专用章. */
  centerText?: string;
  /** A small line near the bottom, e.g. a number. */
  bottomText?: string;
}

export interface CreateSealCommand extends IdempotentCommand {
  kind: SealKind;
  /** Required for kind=special, refused otherwise. */
  purpose?: SealPurpose;
  name: string;
  /** PNG with a transparent background, base64; exactly one of image and generateImage. */
  image?: string;
  /** Have the seal-service draw the picture from `name` (ring, star on round seals, name along the arc). */
  generateImage?: GenerateSealImageOptions;
  /** Printed size of the seal, whole millimetres (GB/T 38540 stores integers). */
  widthMm: number;
  heightMm: number;
  /** Serial (hex) of the active certificate the seal binds to. */
  certificateSerial: string;
  /** ISO 8601; default now. */
  validFrom?: string;
  /** ISO 8601; default (and at most) the certificate's notAfter. */
  validTo?: string;
  /** A second (third…) official seal for the same unit: needs `reason`. */
  additional?: boolean;
  reason?: string;
}

export interface SealImageView {
  widthPx: number;
  heightPx: number;
  widthMm: number;
  heightMm: number;
  bytes: number;
  sha256: string;
  source: 'upload' | 'scan' | 'renewal';
}

export interface SealView {
  id: string;
  /** esID written into the seal. */
  esId: string;
  kind: SealKind;
  purpose?: SealPurpose;
  /** GB/T 38540 property.type written into the seal. */
  typeCode: number;
  name: string;
  status: SealStatus;
  statusReason?: string;
  additional: boolean;
  additionalReason?: string;
  unit: { uscc: string; name: string; regionCode: string };
  certificate: { serial: string; profile: CertificateProfile; notAfter: string };
  image: SealImageView;
  validFrom: string;
  validTo: string;
  createdAt: string;
  statusChangedAt: string;
  /** The seal this one replaced (renewal), and the one that replaced it. */
  replaces?: string;
  replacedBy?: string;
  /** SHA-256 of the DER seal (what GET /seals/{id}.esl returns). */
  sha256: string;
  bytes: number;
}

export interface ListSealsQuery {
  uscc?: string;
  kind?: SealKind;
  status?: SealStatus;
  certificateSerial?: string;
  page?: number;
  pageSize?: number;
}

export interface SealIdQuery {
  id: string;
}

export interface DownloadSealQuery {
  id: string;
  /** esl = the DER SES_Seal; image = the stored PNG. */
  what: 'esl' | 'image';
}

export interface ExtractSealImageCommand {
  /** JPEG or PNG scan/photo of one impression on white paper, base64. */
  image: string;
  /** Scan resolution when the file does not declare one (default 300). */
  dpi?: number;
}

export interface ExtractedSealImageView {
  /** Transparent-background PNG, base64: usable as `image` of POST /seals. */
  png: string;
  widthPx: number;
  heightPx: number;
  /** Size at `dpi`: a suggestion for widthMm/heightMm. */
  widthMm: number;
  heightMm: number;
  dpi: number;
  dpiSource: 'file' | 'request' | 'default';
  inkColor: string;
  inkPixels: number;
}

export interface VerifySealCommand {
  /** An .esl SES_Seal (v4 or v1) or an SES_Signature, DER as base64. */
  data: string;
  /** The signed document (for an SES_Signature), base64: enables the data-hash check. */
  document?: string;
}

export type VerificationResult = 'passed' | 'failed' | 'indeterminate';

export interface VerificationCheckView {
  name: string;
  result: VerificationResult;
  detail: string;
}

export interface SealSummaryView {
  indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
  /** Layout version (1 = GM/T 0031, 4 = GB/T 38540), from the structure. */
  version?: number;
  headerVersion?: number;
  esId?: string;
  type?: number;
  name?: string;
  vendorId?: string;
  maker?: { subject: string; issuer: string; serialNumberHex: string };
  validity?: { createDate: string; validStart: string; validEnd: string };
  picture?: { type: string; widthMm: number; heightMm: number; bytes: number };
  boundCertificates?: { type: 1; subjects: string[] } | { type: 2; digestCount: number };
  checks: VerificationCheckView[];
  /** The maker certificate's path to a seal-maker trust anchor (the `maker-certificate` check; `maker-authorised` says whether it may make seals). */
  chain?: VerificationCheckView;
  warnings: string[];
  /** Present when ecert made this very seal (same esID and bytes). */
  ecert?: {
    sealId: string;
    sealStatus: SealStatus;
    certificateSerial: string;
    /** Current status of the bound certificate, asked from the cert-service now; unknown if it did not answer. */
    certificateStatus: CertificateStatus | 'unknown';
    /** The bound certificate's issuing CA is revoked: it vouches for nothing, whatever its own status. */
    issuerRevoked?: true;
  };
}

export interface SealVerificationView {
  /** What the data was. */
  kind: 'seal' | 'signature';
  /**
   * For a seal ecert made, its standing here counts too: a cryptographically sound seal that is
   * suspended (its UKey reported lost), revoked, retired or expired here, or whose certificate is
   * not active, is INDETERMINATE with the reason in `standing` (`seal.indication` keeps the
   * cryptographic result alone).
   */
  indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
  /** Why a sound seal is not TOTAL_PASSED here (see indication). */
  standing?: string;
  validationTime: string;
  /** Trust anchors for signer certificates (ecert's root CAs), by subject. */
  trustAnchors: string[];
  /**
   * Who may make seals: ecert's seal maker (under ecert's roots, with id-kp-ecertSealMaking) and
   * the foreign seal-making systems configured (ECERT_SEAL_MAKER_TRUST); anchors by subject.
   */
  makerTrust?: { label: string; anchors: string[]; requiredPurpose?: string }[];
  /** The seal (for kind=seal: the data; for kind=signature: the seal embedded in it). */
  seal: SealSummaryView;
  /** Only for kind=signature. */
  signature?: {
    version?: number;
    signingTime?: string;
    propertyInfo?: string;
    signer?: { subject: string; issuer: string; serialNumberHex: string };
    dataHashHex?: string;
    documentChecked: boolean;
    timeStampPresent?: boolean;
    checks: VerificationCheckView[];
    chain?: VerificationCheckView;
    warnings: string[];
  };
}

/**
 * Subjects.cert.sealMakerSign: the seal maker (制章者) signs DER(SES_SealInfo) v4 and nothing else,
 * and only for a seal bound to an active certificate ecert issued to the unit the request names.
 */
export interface SealMakerSignCommand {
  /** The bytes to sign (a DER SES_SealInfo with header ES/4), base64. */
  data: string;
  /** The seal being made (UUID); its esID must be this id without dashes. */
  sealId: string;
  /** The certificate the seal binds to: the one entry of its certList, issued by ecert and active. */
  certificateSerial: string;
  /** The unit the seal is made for (统一社会信用代码, 社保账号): the bound certificate must be of it. */
  uscc: string;
  accountNo: string;
  /** What the seal is made for: a creation request, or a successor after a certificate renewal. */
  purpose: 'create' | 'renewal';
}

export interface SealMakerSignReply {
  /** DER SEQUENCE{r, s} (SM2 with SM3 and the default user ID), base64. */
  signature: string;
  signatureAlgorithmOid: string;
  /** The seal-maker certificate, DER base64. */
  certificate: string;
  /** Its issuers, issuing CA first, up to the root, DER base64. */
  chain: string[];
}

/** Events the seal-service writes to its outbox (subjects `<prefix>.evt.v1.seal.*`). */
export const SEAL_EVENT_TYPES = ['seal.created', 'seal.suspended', 'seal.reactivated', 'seal.revoked', 'seal.retired', 'seal.renewal-refused'] as const;
export type SealEventType = (typeof SEAL_EVENT_TYPES)[number];

/**
 * seal.renewal-refused (aggregate: the old certificate's serial): a certificate.renewed event the
 * seal-service would not act on, so that every consumer of events (the audit trail) sees it.
 */
export interface SealRenewalRefusedData {
  oldSerial: string;
  newSerial: string;
  /** Live seals of the old certificate, left as they were. */
  sealIds: string[];
  reason: string;
  causeEventId: string;
  /** The region of the seals (else of the certificate): regional subscribers of seal events get it too. */
  regionCode?: string;
}

export interface SealEventData {
  sealId: string;
  esId: string;
  kind: SealKind;
  uscc: string;
  regionCode: string;
  certificateSerial: string;
  status: SealStatus;
  /** The certificate event that caused it, if any. */
  causeEventId?: string;
  replaces?: string;
  replacedBy?: string;
}

/** Problem codes of the seal API (beside the common ones: validation_failed, not_found, forbidden…). */
export const SealProblemCode = {
  imageFormatUnsupported: 'image_format_unsupported',
  imageCorrupt: 'image_corrupt',
  imageTooLarge: 'image_too_large',
  imageTooSmall: 'image_too_small',
  imageEmpty: 'image_empty',
  imageNotTransparent: 'image_not_transparent',
  /** The picture's aspect ratio does not match widthMm/heightMm. */
  imageSizeMismatch: 'image_size_mismatch',
  sealNotFound: 'seal_not_found',
  /** certificateSerial names no certificate ecert issued. */
  certificateNotFound: 'certificate_not_found',
  /** Wrong certificate profile for the kind (e.g. an official seal on a personal certificate). */
  bindingInvalid: 'seal_binding_invalid',
  /** The certificate is frozen, revoked or expired. */
  certificateNotActive: 'certificate_not_active',
  /** The unit has an official seal; a second needs additional=true and a reason. */
  officialSealExists: 'official_seal_exists',
  /** Data to verify is neither an SES_Seal nor an SES_Signature (garbage, truncated). */
  sealDataMalformed: 'seal_data_malformed',
} as const;
