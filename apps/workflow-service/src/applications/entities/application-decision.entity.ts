import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Decision, MaterialKind, ReviewTier } from '@ecert/contracts';

@Entity({ name: 'application_decision' })
export class ApplicationDecisionEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @Column({ type: 'text' }) tier: ReviewTier;
  @Column({ type: 'text' }) decision: Decision;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ type: 'jsonb', nullable: true }) missing: MaterialKind[] | null;
  @Column({ name: 'staff_id', type: 'text', nullable: true }) staffId: string | null;
  @Column({ name: 'client_id', type: 'text', nullable: true }) clientId: string | null;
  @Column({ type: 'text', nullable: true }) role: string | null;
  @Column({ name: 'materials_seen', type: 'jsonb' }) materialsSeen: string[];
  @Column({ name: 'decided_at', type: 'timestamptz' }) decidedAt: Date;
}
