import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { UkeyAction, UkeyState } from '@ecert/contracts';

/** One row per step of a UKey's life: who did what, from which state to which, and with what effect. */
@Entity({ name: 'ukey_history' })
@Index('ukey_history_serial_idx', ['serial', 'id'])
export class UkeyHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  serial: string;

  @Column({ type: 'text' })
  action: UkeyAction | 'import';

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState: UkeyState | null;

  @Column({ name: 'to_state', type: 'text' })
  toState: UkeyState;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** What the step did besides the state: certificates frozen or revoked, the application, the batch… */
  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  @Column({ type: 'text', nullable: true })
  actor: string | null;

  /** The bus principal that asked (gateway, workflow-service). */
  @Column({ type: 'text', nullable: true })
  via: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
