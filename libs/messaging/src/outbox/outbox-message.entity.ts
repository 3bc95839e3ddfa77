import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An event waiting to be published. Written in the same transaction as the state change it
 * describes, so an event exists if and only if the change committed.
 */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['seq'], { where: 'published_at IS NULL' })
export class OutboxMessage {
  @PrimaryColumn('uuid')
  id: string;

  /** Publication order; bigint arrives from pg as a string. */
  @Column({ type: 'bigint', generated: 'increment' })
  seq: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'aggregate_id', type: 'text' })
  aggregateId: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
