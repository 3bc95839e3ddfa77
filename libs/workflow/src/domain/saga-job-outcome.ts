/** What an application's saga job ends as, once its due steps have been run (docs/operations.md, "Sagas"). */
export type SagaJobOutcome =
  | { kind: 'failed'; reason: string }
  | { kind: 'delayed'; until: number }
  | { kind: 'completed' };

/**
 * From what PostgreSQL says after the run: an application that needs attention fails its job
 * with the step and reason; an open step waits (a retry later, or — its time already passed —
 * a step being sent elsewhere: look again shortly); otherwise the job is done for now.
 */
export function sagaJobOutcome(
  state: { attention: { step?: string; reason?: string } | null; nextAttemptAt: Date | null },
  now: number,
  busyRetryMs: number,
): SagaJobOutcome {
  if (state.attention) return { kind: 'failed', reason: `${state.attention.step || 'step'}: ${state.attention.reason || 'needs attention'}` };
  if (state.nextAttemptAt) {
    const at = state.nextAttemptAt.getTime();
    return { kind: 'delayed', until: at > now ? at : now + busyRetryMs };
  }
  return { kind: 'completed' };
}
