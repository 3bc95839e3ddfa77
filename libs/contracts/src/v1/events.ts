import type { CertificateProfile } from './certificate.dto';

/**
 * Domain events on the JetStream stream. `id` is the outbox row id and the JetStream
 * Nats-Msg-Id, so publishing twice is deduplicated and consumers can remember what they applied.
 */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  version: 1;
  occurredAt: string;
  aggregateId: string;
  requestId?: string;
  /** Who caused it: client system and staff member of the request (`via` = the bus principal that asked). */
  actor?: { clientId: string | null; staffId: string | null; via: string | null };
  data: TData;
}

export interface CertificateEventData {
  serial: string;
  caId: string;
  profile: CertificateProfile;
  uscc: string;
  accountNo: string;
  regionCode: string;
  status: string;
  notAfter: string;
  /** The UKey it is on, if any. */
  ukeySerial?: string;
  /**
   * The certificate's version: its lifecycle steps so far (1 at issue, +1 per freeze, unfreeze,
   * revocation, renewal). Apply a certificate's events by it, never by arrival order. Absent in
   * events written before it existed: order those by occurredAt.
   */
  version?: number;
}

/**
 * certificate.renewed: the event is about the successor (serial = newSerial); the old certificate
 * was revoked (superseded) in the same step. Both units are given so a consumer can refuse a
 * renewal that would move anything to another unit's certificate.
 */
export interface CertificateRenewedData extends CertificateEventData {
  oldSerial: string;
  newSerial: string;
  oldUscc: string;
  oldAccountNo: string;
  newUscc: string;
  newAccountNo: string;
  /** The old certificate's version after its revocation by this renewal. */
  oldVersion: number;
}

export type CertificateIssuedEvent = DomainEvent<'certificate.issued', CertificateEventData>;
export type CertificateFrozenEvent = DomainEvent<'certificate.frozen', CertificateEventData>;
export type CertificateUnfrozenEvent = DomainEvent<'certificate.unfrozen', CertificateEventData>;
export type CertificateRevokedEvent = DomainEvent<'certificate.revoked', CertificateEventData & { reason: string; revokedAt: string }>;
export type CertificateRenewedEvent = DomainEvent<'certificate.renewed', CertificateRenewedData>;

/**
 * Why a certificate went on the invalid list (失效名单, 第二十条): its UKey was reported lost or
 * damaged, or it expired, and nothing was done within two years; or it stayed in normal state
 * without any activity for two years.
 */
export const INVALIDATION_REASONS = ['lost_unresolved', 'damaged_unresolved', 'expired_unresolved', 'idle'] as const;
export type InvalidationReason = (typeof INVALIDATION_REASONS)[number];

/** certificate.invalidated: revoked for relying parties, its seals suspended, state `invalid`. */
export interface CertificateInvalidatedData extends CertificateEventData {
  invalidReason: InvalidationReason;
  /** The RFC 5280 reason it was revoked with (CRL/OCSP). */
  revocationReason: string;
  invalidatedAt: string;
  /** The last activity the platform knew of (issuance when there was none). */
  lastActivityAt: string;
}

/** certificate.renewal_due: the renewal window (20 working days before expiry, 第十七条) opened; sent once. */
export interface CertificateRenewalDueData extends CertificateEventData {
  /** The first working day of the window (YYYY-MM-DD, Asia/Shanghai). */
  windowOpensOn: string;
}

export type CertificateInvalidatedEvent = DomainEvent<'certificate.invalidated', CertificateInvalidatedData>;
export type CertificateRenewalDueEvent = DomainEvent<'certificate.renewal_due', CertificateRenewalDueData>;
/** certificate.expired: notAfter passed (sent once, by the batch job that notices). */
export type CertificateExpiredEvent = DomainEvent<'certificate.expired', CertificateEventData>;

export type CertificateEvent =
  | CertificateIssuedEvent
  | CertificateFrozenEvent
  | CertificateUnfrozenEvent
  | CertificateRevokedEvent
  | CertificateRenewedEvent
  | CertificateInvalidatedEvent
  | CertificateRenewalDueEvent
  | CertificateExpiredEvent;

export const CERTIFICATE_EVENT_TYPES = [
  'certificate.issued',
  'certificate.frozen',
  'certificate.unfrozen',
  'certificate.revoked',
  'certificate.renewed',
  'certificate.invalidated',
  'certificate.renewal_due',
  'certificate.expired',
] as const;
