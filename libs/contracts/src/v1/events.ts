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
}

export type CertificateIssuedEvent = DomainEvent<'certificate.issued', CertificateEventData>;
export type CertificateFrozenEvent = DomainEvent<'certificate.frozen', CertificateEventData>;
export type CertificateUnfrozenEvent = DomainEvent<'certificate.unfrozen', CertificateEventData>;
export type CertificateRevokedEvent = DomainEvent<'certificate.revoked', CertificateEventData & { reason: string; revokedAt: string }>;
export type CertificateRenewedEvent = DomainEvent<'certificate.renewed', CertificateEventData & { oldSerial: string; newSerial: string }>;

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
