import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One row per lifecycle step of a certificate: who did what, from which state to which. */
@Entity({ name: 'certificate_history' })
@Index('certificate_history_serial_idx', ['serial'])
export class CertificateHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  serial: string;

  @Column({ type: 'text' })
  action: 'issue' | 'freeze' | 'unfreeze' | 'revoke' | 'renew';

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: string | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: string;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  @Column({ type: 'text', nullable: true })
  actor: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
