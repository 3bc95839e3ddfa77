import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'application_timeline' })
export class ApplicationTimelineEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'text' }) what: string;
  @Column({ type: 'jsonb', nullable: true }) by: { staffId: string | null; clientId: string | null; via: string | null } | null;
  @Column({ type: 'jsonb', nullable: true }) detail: Record<string, unknown> | null;
}
