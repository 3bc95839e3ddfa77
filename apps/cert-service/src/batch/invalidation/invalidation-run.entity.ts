import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { InvalidationCount } from '@ecert/contracts';

/** One 第二十条 run, dry or real: who asked, as of when, and what it found (or did). */
@Entity({ name: 'invalidation_run' })
export class InvalidationRunEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'dry_run', type: 'boolean' })
  dryRun: boolean;

  @Column({ type: 'text' })
  trigger: 'schedule' | 'operator';

  @Column({ name: 'requested_by', type: 'text', nullable: true })
  requestedBy: string | null;

  /** The client (system) the request came through, beside the staff id in requestedBy. */
  @Column({ name: 'requested_by_client', type: 'text', nullable: true })
  requestedByClient: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'as_of', type: 'timestamptz' })
  asOf: Date;

  @Column({ name: 'queued_at', type: 'timestamptz' })
  queuedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  counts: InvalidationCount[] | null;

  @Column({ type: 'int', nullable: true })
  total: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
