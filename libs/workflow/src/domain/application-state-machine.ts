import { ProblemCode, ProblemError } from '@ecert/common';
import { CLOSED_APPLICATION_STATUSES, type ApplicationStatus, type Decision, type ReviewTier } from '@ecert/contracts';

/** Where a decision takes an application. */
export interface DecisionOutcome {
  status: ApplicationStatus;
  tier?: ReviewTier;
  /** The last tier approved: carrying it out starts. */
  approved: boolean;
  /** The clock stops (returned for supplement). */
  pauses: boolean;
}

const illegal = (detail: string) => ProblemError.conflict(ProblemCode.illegalTransition, detail);

export function isClosed(status: ApplicationStatus): boolean {
  return CLOSED_APPLICATION_STATUSES.includes(status);
}

/** Materials may be added while it is gathered or sent back for supplement. */
export function assertMayAttach(status: ApplicationStatus): void {
  if (status !== 'draft' && status !== 'returned') throw illegal(`materials are added to a draft or a returned application, not to one that is ${status}`);
}

/** Into review: a draft is accepted at the first tier; a returned one goes back to the tier that returned it. */
export function submitTransition(status: ApplicationStatus, route: readonly ReviewTier[], returnedAt?: ReviewTier): { status: ApplicationStatus; tier: ReviewTier; resubmitted: boolean } {
  if (status === 'draft') return { status: 'under_review', tier: route[0]!, resubmitted: false };
  if (status === 'returned') return { status: 'under_review', tier: returnedAt ?? route[0]!, resubmitted: true };
  throw illegal(`only a draft or a returned application can be submitted; this one is ${status}`);
}

export function decisionTransition(status: ApplicationStatus, tier: ReviewTier | undefined, route: readonly ReviewTier[], decision: Decision): DecisionOutcome {
  if (status !== 'under_review' || !tier) throw illegal(`the application is ${status}, not waiting for a decision`);
  switch (decision) {
    case 'reject':
      return { status: 'rejected', approved: false, pauses: false };
    case 'return':
      return { status: 'returned', tier, approved: false, pauses: true };
    case 'approve': {
      const next = route[route.indexOf(tier) + 1];
      return next ? { status: 'under_review', tier: next, approved: false, pauses: false } : { status: 'fulfilling', approved: true, pauses: false };
    }
  }
}
