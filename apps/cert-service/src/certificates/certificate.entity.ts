import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { StoredCertificateStatus } from '@ecert/pki';
import type { InvalidationReason } from '@ecert/contracts';

@Entity({ name: 'certificate' })
@Index('certificate_account_idx', ['uscc', 'accountNo'])
@Index('certificate_ca_status_idx', ['caId', 'status'])
@Index('certificate_person_id_hash_idx', ['personIdHash'], { where: '"person_id_hash" IS NOT NULL' })
@Index('certificate_spki_sha256_idx', ['spkiSha256'])
@Index('certificate_ukey_serial_idx', ['ukeySerial'], { where: '"ukey_serial" IS NOT NULL' })
export class CertificateEntity {
  /** Lower-case hex of the DER INTEGER content, as OCSP and CRLs carry it. */
  @PrimaryColumn({ type: 'text' })
  serial: string;

  @Column({ name: 'ca_id', type: 'text' })
  caId: string;

  @Column({ type: 'text' })
  profile: 'unit' | 'personal';

  @Column({ name: 'key_algorithm', type: 'text' })
  keyAlgorithm: string;

  @Column({ type: 'text' })
  status: StoredCertificateStatus;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text' })
  uscc: string;

  @Column({ name: 'account_no', type: 'text' })
  accountNo: string;

  @Column({ name: 'region_code', type: 'text' })
  regionCode: string;

  @Column({ name: 'unit_name', type: 'text' })
  unitName: string;

  @Column({ name: 'person_name', type: 'text', nullable: true })
  personName: string | null;

  /** Masked form for display; the full number is kept nowhere but in the DER, and only in `clear` mode. */
  @Column({ name: 'person_id_masked', type: 'text', nullable: true })
  personIdMasked: string | null;

  /**
   * Salted hash of the resident ID (personalIdHash: `hmac-sm3:` + hex), what renewal carries
   * forward and what a lookup by ID matches. Null only for certificates issued before it existed.
   */
  @Column({ name: 'person_id_hash', type: 'text', nullable: true })
  personIdHash: string | null;

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter: Date;

  @Column({ type: 'bytea' })
  der: Buffer;

  /** The certified key (publicKeyFingerprint of the SPKI): finds certificates of a compromised key. */
  @Column({ name: 'spki_sha256', type: 'text', nullable: true })
  spkiSha256: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  revocationReason: string | null;

  @Column({ name: 'frozen_at', type: 'timestamptz', nullable: true })
  frozenAt: Date | null;

  /** When status last changed: deltas list what changed after their base CRL. */
  @Column({ name: 'status_changed_at', type: 'timestamptz' })
  statusChangedAt: Date;

  /** Number of the newest complete CRL that listed this certificate on hold (for removeFromCRL). */
  @Column({ name: 'hold_listed_in_crl', type: 'bigint', nullable: true })
  holdListedInCrl: string | null;

  @Column({ type: 'text', nullable: true })
  replaces: string | null;

  @Column({ name: 'replaced_by', type: 'text', nullable: true })
  replacedBy: string | null;

  /** The UKey the key pair is on (cert.ukey), when it was issued onto one. */
  @Column({ name: 'ukey_serial', type: 'text', nullable: true })
  ukeySerial: string | null;

  /** The key pair is in the platform's key store (cert.platform_key), not on a UKey: an office's own seal. */
  @Column({ name: 'platform_held', type: 'boolean', default: false })
  platformHeld: boolean;

  @Column({ name: 'last_activity_at', type: 'timestamptz', nullable: true })
  lastActivityAt: Date | null;

  /** What the last activity was (ActivityKind). */
  @Column({ name: 'last_activity_kind', type: 'text', nullable: true })
  lastActivityKind: string | null;

  /** The business system (client id) that reported the last activity; null: the platform saw it. */
  @Column({ name: 'last_activity_client', type: 'text', nullable: true })
  lastActivityClient: string | null;

  /** Why it is invalid (第二十条), with status `invalid`. */
  @Column({ name: 'invalid_reason', type: 'text', nullable: true })
  invalidReason: InvalidationReason | null;

  @Column({ name: 'invalidated_at', type: 'timestamptz', nullable: true })
  invalidatedAt: Date | null;

  /** certificate.renewal_due was written for it (once). */
  @Column({ name: 'renewal_due_notified_at', type: 'timestamptz', nullable: true })
  renewalDueNotifiedAt: Date | null;

  /** certificate.expired was written for it (once). */
  @Column({ name: 'expiry_notified_at', type: 'timestamptz', nullable: true })
  expiryNotifiedAt: Date | null;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
