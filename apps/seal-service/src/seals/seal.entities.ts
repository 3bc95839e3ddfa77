import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { CertificateProfile, SealKind, SealPurpose } from '@ecert/contracts';

/** Stored status; `expired` is derived from valid_to when read. */
export type StoredSealStatus = 'active' | 'suspended' | 'revoked' | 'retired';

/** A normalised seal picture (RGBA PNG cropped to its content) and its printed size. */
@Entity({ name: 'seal_image' })
export class SealImageEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ type: 'bytea', select: false })
  png: Buffer;

  @Column({ type: 'int' })
  bytes: number;

  @Column({ name: 'width_px', type: 'int' })
  widthPx: number;

  @Column({ name: 'height_px', type: 'int' })
  heightPx: number;

  @Column({ name: 'width_mm', type: 'int' })
  widthMm: number;

  @Column({ name: 'height_mm', type: 'int' })
  heightMm: number;

  @Column({ type: 'text' })
  source: 'upload' | 'scan' | 'renewal';

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** An electronic seal as ecert made it: the DER SES_Seal plus what it was made from and its status. */
@Entity({ name: 'seal' })
export class SealEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'es_id', type: 'text' })
  esId: string;

  @Column({ type: 'text' })
  kind: SealKind;

  @Column({ type: 'text', nullable: true })
  purpose: SealPurpose | null;

  @Column({ name: 'type_code', type: 'int' })
  typeCode: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  status: StoredSealStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ name: 'status_changed_at', type: 'timestamptz' })
  statusChangedAt: Date;

  @Column({ type: 'boolean', default: false })
  additional: boolean;

  @Column({ name: 'additional_reason', type: 'text', nullable: true })
  additionalReason: string | null;

  @Column({ type: 'text' })
  uscc: string;

  @Column({ name: 'unit_name', type: 'text' })
  unitName: string;

  @Column({ name: 'region_code', type: 'text' })
  regionCode: string;

  @Column({ name: 'certificate_serial', type: 'text' })
  certificateSerial: string;

  @Column({ name: 'certificate_profile', type: 'text' })
  certificateProfile: CertificateProfile;

  @Column({ name: 'certificate_not_after', type: 'timestamptz' })
  certificateNotAfter: Date;

  @Column({ name: 'image_id', type: 'uuid' })
  imageId: string;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom: Date;

  @Column({ name: 'valid_to', type: 'timestamptz' })
  validTo: Date;

  /** Not loaded unless asked for (addSelect / select): lists never carry the DER. */
  @Column({ type: 'bytea', select: false })
  der: Buffer;

  @Column({ name: 'der_sha256', type: 'text' })
  derSha256: string;

  @Column({ name: 'der_bytes', type: 'int' })
  derBytes: number;

  @Column({ type: 'uuid', nullable: true })
  replaces: string | null;

  @Column({ name: 'replaced_by', type: 'uuid', nullable: true })
  replacedBy: string | null;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** Every status change of a seal and what caused it (a request or a certificate event). */
@Entity({ name: 'seal_history' })
export class SealHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'seal_id', type: 'uuid' })
  sealId: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: string | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: string;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ type: 'text', nullable: true })
  actor: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}

/**
 * The newest status of a certificate seen on the event stream, with that event's version and time:
 * seals follow it, an older event changes nothing, and seal creation checks it (create-vs-freeze race).
 */
@Entity({ name: 'certificate_state' })
export class CertificateStateEntity {
  @PrimaryColumn({ type: 'text' })
  serial: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** Certificate version of that event (null: an event from before versions existed). */
  @Column({ type: 'int', nullable: true })
  version: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** A certificate event the seal-service refused to act on, and why (e.g. a renewal onto another unit's certificate). */
@Entity({ name: 'certificate_event_refusal' })
export class CertificateEventRefusalEntity {
  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ type: 'text' })
  serial: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ name: 'refused_at', type: 'timestamptz', default: () => 'now()' })
  refusedAt: Date;
}

export const SEAL_ENTITIES = [SealImageEntity, SealEntity, SealHistoryEntity, CertificateStateEntity, CertificateEventRefusalEntity];
