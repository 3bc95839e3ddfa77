import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FulfilmentStepName } from '@ecert/workflow';

export type StepPhase = 'acceptance' | 'rejection' | 'fulfilment' | 'abort';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'compensated';

@Entity({ name: 'application_step' })
export class ApplicationStepEntity {
  @PrimaryColumn({ name: 'application_id', type: 'uuid' }) applicationId: string;
  @PrimaryColumn({ type: 'int' }) seq: number;
  @Column({ type: 'text' }) name: FulfilmentStepName;
  @Column({ type: 'text' }) phase: StepPhase;
  @Column({ type: 'text' }) status: StepStatus;
  @Column({ type: 'int' }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ type: 'jsonb', nullable: true }) result: Record<string, unknown> | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
