import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { PlatformKeyUsePurpose } from '@ecert/contracts';

/**
 * One row per signature a platform-held key made: which certificate, over which signed
 * attributes (and so which document digest), at whose request. A signature whose row cannot be
 * written is never returned.
 */
@Entity({ name: 'platform_key_use' })
@Index('platform_key_use_serial_idx', ['serial', 'at'])
export class PlatformKeyUseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  serial: string;

  @Column({ type: 'text' })
  /** document: the CMS signed attributes; ses-signature: the TBS_Sign signed with them (message_digest = its dataHash). */
  purpose: PlatformKeyUsePurpose;

  /** SHA-256 (hex) of the DER signed (SignedAttributes, or TBS_Sign). */
  @Column({ name: 'data_sha256', type: 'text' })
  dataSha256: string;

  /** The message-digest attribute (hex): the digest of the document content signed. */
  @Column({ name: 'message_digest', type: 'text' })
  messageDigest: string;

  /** ses-signature: the esID of the seal inside the TBS_Sign. */
  @Column({ name: 'es_id', type: 'text', nullable: true })
  esId?: string | null;

  /** ses-signature: SHA-256 (hex) of that seal's SES_SealInfo, as on the maker's record. */
  @Column({ name: 'seal_info_sha256', type: 'text', nullable: true })
  sealInfoSha256?: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  /** The staff member or client behind the gateway's document-sealing request. */
  @Column({ type: 'text', nullable: true })
  actor: string | null;

  /** SHA-256 (hex) of the forwarded gateway token: ties the signature to that one request. */
  @Column({ name: 'gateway_request', type: 'text', nullable: true })
  gatewayRequest: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
