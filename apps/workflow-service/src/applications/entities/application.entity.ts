import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApplicationView, ApplicantUnit, ApplicationChannel, ApplicationStatus, ChangeKind, RequestedSeal, ReviewTier, RevocationCause, ServiceType } from '@ecert/contracts';

export interface StoredHandler {
  name: string;
  idNumberMasked: string;
  phone: string;
  phoneMasked: string;
  email: string;
}

/** The type-specific parts of the form. */
export interface ApplicationDetails {
  justification?: string;
  justificationAccepted?: boolean;
  changes?: ChangeKind[];
  revocationCause?: RevocationCause;
  statement?: string;
  damageNotUserCaused?: boolean;
  /** Medium replacement: the reviewer's finding that the damage is not the user's doing (第十八条). */
  nonHumanCause?: boolean;
}

export interface StoredPause {
  from: string;
  to?: string;
}

export type ApplicationResults = ApplicationView['results'];

@Entity({ name: 'application' })
export class ApplicationEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ type: 'text' }) type: ServiceType;
  @Column({ type: 'text' }) channel: ApplicationChannel;
  @Column({ type: 'text' }) status: ApplicationStatus;
  @Column({ type: 'text', nullable: true }) tier: ReviewTier | null;
  @Column({ type: 'jsonb' }) route: ReviewTier[];
  @Column({ type: 'text' }) uscc: string;
  @Column({ name: 'account_no', type: 'text' }) accountNo: string;
  @Column({ name: 'region_code', type: 'text' }) regionCode: string;
  @Column({ type: 'jsonb' }) unit: ApplicantUnit;
  @Column({ type: 'jsonb' }) handler: StoredHandler;
  /** Keyed hash of the handler's resident ID: collection is checked against it; the number itself is not kept. */
  @Column({ name: 'handler_id_hash', type: 'text' }) handlerIdHash: string;
  @Column({ type: 'jsonb' }) seals: RequestedSeal[];
  @Column({ name: 'target_serial', type: 'text', nullable: true }) targetSerial: string | null;
  @Column({ name: 'target_ukey_serial', type: 'text', nullable: true }) targetUkeySerial: string | null;
  @Column({ type: 'jsonb' }) details: ApplicationDetails;
  @Column({ name: 'filed_by_client', type: 'text', nullable: true }) filedByClient: string | null;
  @Column({ name: 'filed_by_staff', type: 'text', nullable: true }) filedByStaff: string | null;
  @Column({ name: 'filed_by_role', type: 'text', nullable: true }) filedByRole: string | null;
  @Column({ name: 'limit_working_days', type: 'int' }) limitWorkingDays: number;
  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true }) acceptedAt: Date | null;
  @Column({ name: 'tier_entered_at', type: 'timestamptz', nullable: true }) tierEnteredAt: Date | null;
  /** Kept for list queries (?overdue=true); recomputed at every change of state. */
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true }) dueAt: Date | null;
  @Column({ name: 'step_due_at', type: 'timestamptz', nullable: true }) stepDueAt: Date | null;
  @Column({ type: 'jsonb' }) pauses: StoredPause[];
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'jsonb', nullable: true }) production: { ukeySerial: string; csr?: string; at: string; by: string | null; completionChallenge?: string; challengeExpiresAt?: string } | null;
  @Column({ type: 'jsonb' }) results: ApplicationResults;
  @Column({ type: 'jsonb', nullable: true }) attention: { reason: string; step: string; at: string; previousStatus?: ApplicationStatus } | null;
  @Column({ type: 'jsonb', nullable: true }) rejection: { reason: string; tier: ReviewTier; at: string } | null;
  @Column({ type: 'jsonb', nullable: true }) returned: { reason: string; missing: string[]; tier: ReviewTier; at: string } | null;
  @Column({ type: 'int' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
