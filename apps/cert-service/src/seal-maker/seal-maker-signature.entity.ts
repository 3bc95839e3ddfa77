import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row per signature the seal maker made: which seal, bound to which certificate of which unit,
 * at whose request. The maker key signs on request over the bus, so every use of it is on record.
 */
@Entity({ name: 'seal_maker_signature' })
@Index('seal_maker_signature_certificate_idx', ['certificateSerial'])
export class SealMakerSignatureEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'seal_id', type: 'uuid' })
  sealId: string;

  @Column({ name: 'es_id', type: 'text' })
  esId: string;

  @Column({ name: 'certificate_serial', type: 'text' })
  certificateSerial: string;

  @Column({ type: 'text' })
  uscc: string;

  @Column({ name: 'account_no', type: 'text' })
  accountNo: string;

  @Column({ type: 'text' })
  purpose: 'create' | 'renewal';

  /** Seal-maker CA id and certificate serial that signed. */
  @Column({ name: 'maker_ca_id', type: 'text' })
  makerCaId: string;

  @Column({ name: 'maker_serial', type: 'text' })
  makerSerial: string;

  /** SHA-256 of the DER SES_SealInfo signed. */
  @Column({ name: 'seal_info_sha256', type: 'text' })
  sealInfoSha256: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  @Column({ type: 'text', nullable: true })
  actor: string | null;

  /** SHA-256 of the gateway token behind a 'create' signature: unique, one seal per creation request. */
  @Column({ name: 'gateway_request', type: 'text', nullable: true })
  gatewayRequest: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
