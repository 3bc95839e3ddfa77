import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** UKeys sent together to one city office, and their receipt there. */
@Entity({ name: 'ukey_dispatch_batch' })
@Index('ukey_dispatch_batch_office_idx', ['officeRegionCode'])
export class UkeyDispatchBatchEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'office_region_code', type: 'text' })
  officeRegionCode: string;

  @Column({ type: 'text', array: true })
  serials: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_client_id', type: 'text', nullable: true })
  createdClientId: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt: Date | null;

  @Column({ name: 'received_by', type: 'text', nullable: true })
  receivedBy: string | null;
}
