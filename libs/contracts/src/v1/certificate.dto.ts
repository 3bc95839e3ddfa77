import type { IdempotentCommand } from './idempotency';

export type CertificateProfile = 'unit' | 'personal';
import type { InvalidationReason } from './events';

/** `invalid`: on the invalid list (失效名单, 第二十条): revoked for relying parties, final. */
export type CertificateStatus = 'active' | 'frozen' | 'revoked' | 'expired' | 'invalid';

/** RFC 5280 CRLReason names accepted on revoke (certificateHold is freeze; removeFromCRL is internal). */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number] | 'certificateHold' | 'cACompromise';

export interface UnitInfo {
  name: string;
  uscc: string;
  regionCode: string;
  accountNo: string;
}

export interface PersonInfo {
  name: string;
  idNumber: string;
}

export interface IssueCertificateCommand extends IdempotentCommand {
  profile: CertificateProfile;
  csr: string;
  unit: UnitInfo;
  person?: PersonInfo;
  validityDays?: number;
  /**
   * The UKey the key pair was generated on (with `applicationId`): it must be assigned to that
   * application, or in stock (then it is assigned now); the certificate is recorded on it and the
   * UKey is initialised, in the issuance's transaction.
   */
  ukeySerial?: string;
  /** The application the certificate is produced for (required with ukeySerial). */
  applicationId?: string;
}

export interface SerialCommand {
  serial: string;
}

export interface RevokeCertificateCommand extends SerialCommand, IdempotentCommand {
  reason: (typeof REVOCATION_REASONS)[number];
  comment?: string;
}

/** Freeze, and unfreeze too (one key names one command: the same key on both is a 422). */
export interface FreezeCertificateCommand extends SerialCommand, IdempotentCommand {
  comment?: string;
}

export interface RenewCertificateCommand extends SerialCommand, IdempotentCommand {
  csr: string;
  validityDays?: number;
}

export interface ListCertificatesQuery {
  uscc?: string;
  status?: CertificateStatus;
  profile?: CertificateProfile;
  page?: number;
  pageSize?: number;
  /** The `next` of the previous page (keyset: newest first, then serial). */
  after?: string;
}

export interface CertificateView {
  serial: string;
  caId: string;
  profile: CertificateProfile;
  keyAlgorithm: string;
  status: CertificateStatus;
  subject: string;
  unit: { name: string; uscc: string; regionCode: string; accountNo: string };
  person?: { name: string; idNumberMasked: string };
  notBefore: string;
  notAfter: string;
  revokedAt?: string;
  revocationReason?: string;
  frozenAt?: string;
  /** With status invalid: why (第二十条) and since when. */
  invalidReason?: InvalidationReason;
  invalidatedAt?: string;
  replacedBy?: string;
  replaces?: string;
  /** The UKey it is on (issued with a ukeySerial, or renewed from a certificate on one). */
  ukeySerial?: string;
  /**
   * Present (true) when the issuing CA or the root above it is revoked: `status` stays what the row
   * says, but the certificate is not to be relied on (nor accepted at login) whatever it is.
   */
  issuerRevoked?: true;
  /**
   * Present (true) when the key pair is held by the platform (its key store), not by the unit on a
   * UKey: an office's own seal, signed server-side (Subjects.cert.platformKeySign).
   */
  platformHeld?: true;
  certificatePem: string;
  chainPem: string[];
}

/**
 * Every paginated list's envelope. Offset pages (`page`, `pageSize`) for screens; lists that can
 * grow large (certificates, applications, the audit trail, the invalid list) also give `next`, the
 * cursor of the last item when more may follow: `?after=<next>` is the following page in the same
 * order, unaffected by rows added or removed meanwhile.
 */
export interface Page<T> {
  items: T[];
  /** 1-based; a cursor page (`after`) reports 1. */
  page: number;
  pageSize: number;
  /** Items matching the filter, on every offset page; a cursor page (`after`) counts none. */
  total?: number;
  /** Cursor of the last item when more may follow (keyset lists only); pass it as `after`. */
  next?: string;
}

export interface AuthenticateCertificateCommand {
  /** PEM or base64 DER of the certificate presented at login. */
  certificate: string;
}

export interface AuthenticatedCertificate {
  serial: string;
  caId: string;
  profile: CertificateProfile;
  subject: string;
  regionCode: string;
  /** DER SubjectPublicKeyInfo, base64: the key the login signature must verify with. */
  spkiBase64: string;
  keyAlgorithm: string;
  notAfter: string;
}
