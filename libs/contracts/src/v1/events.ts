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

export type CertificateEvent =
  | CertificateIssuedEvent
  | CertificateFrozenEvent
  | CertificateUnfrozenEvent
  | CertificateRevokedEvent
  | CertificateRenewedEvent;

export const CERTIFICATE_EVENT_TYPES = [
  'certificate.issued',
  'certificate.frozen',
  'certificate.unfrozen',
  'certificate.revoked',
  'certificate.renewed',
] as const;
