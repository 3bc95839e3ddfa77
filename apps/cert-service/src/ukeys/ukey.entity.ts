import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { UkeyState } from '@ecert/contracts';

/** One UKey of the inventory: where it is in its life, whose it is, where it is held. */
@Entity({ name: 'ukey' })
@Index('ukey_state_idx', ['state'])
@Index('ukey_office_region_idx', ['officeRegionCode'])
@Index('ukey_region_idx', ['regionCode'])
@Index('ukey_batch_idx', ['batch'])
@Index('ukey_uscc_idx', ['uscc'])
@Index('ukey_application_idx', ['applicationId'])
export class UkeyEntity {
  /** The token's serial (CK_TOKEN_INFO serialNumber or the vendor's label), as imported. */
  @PrimaryColumn({ type: 'text' })
  serial: string;

  @Column({ type: 'text' })
  vendor: string;

  @Column({ type: 'text' })
  model: string;

  /** The delivery batch (the vendor's lot). */
  @Column({ type: 'text' })
  batch: string;

  /** YYYY-MM-DD. */
  @Column({ name: 'delivered_on', type: 'date' })
  deliveredOn: string;

  @Column({ type: 'text' })
  state: UkeyState;

  /** Who holds it: the stock's region at import, the city office once dispatched. Null = national stock. */
  @Column({ name: 'office_region_code', type: 'text', nullable: true })
  officeRegionCode: string | null;

  @Column({ name: 'application_id', type: 'uuid', nullable: true })
  applicationId: string | null;

  /** The unit whose certificates it holds (from the first certificate issued onto it). */
  @Column({ type: 'text', nullable: true })
  uscc: string | null;

  @Column({ name: 'account_no', type: 'text', nullable: true })
  accountNo: string | null;

  @Column({ name: 'region_code', type: 'text', nullable: true })
  regionCode: string | null;

  @Column({ name: 'collected_at', type: 'timestamptz', nullable: true })
  collectedAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  collector: { name: string; idNumberMasked: string; staffId: string | null } | null;

  /** Last day of the warranty (YYYY-MM-DD, China): a year from collection. */
  @Column({ name: 'warranty_until', type: 'date', nullable: true })
  warrantyUntil: string | null;

  @Column({ name: 'dispatch_batch_id', type: 'uuid', nullable: true })
  dispatchBatchId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  damage: { at: string; nonHumanCause: boolean; withinWarranty: boolean; reason?: string } | null;

  /** Generation of the derived SO PIN the token has (0 at production; +1 per confirmed unlock). */
  @Column({ name: 'so_pin_generation', type: 'int', default: 0 })
  soPinGeneration: number;

  /** History rows so far (1 at import): events carry it so consumers apply them in order. */
  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
