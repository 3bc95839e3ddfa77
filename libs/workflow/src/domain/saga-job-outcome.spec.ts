import { describe, expect, it } from 'vitest';
import { sagaJobOutcome } from './saga-job-outcome';

describe('sagaJobOutcome', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('fails with the step and reason when the application needs attention, even with steps still open', () => {
    expect(sagaJobOutcome({ attention: { step: 'issue_certificate', reason: '409 illegal_transition: revoked' }, nextAttemptAt: new Date(now + 5000) }, now, 1000)).toEqual({ kind: 'failed', reason: 'issue_certificate: 409 illegal_transition: revoked' });
    expect(sagaJobOutcome({ attention: {}, nextAttemptAt: null }, now, 1000)).toEqual({ kind: 'failed', reason: 'step: needs attention' });
  });

  it('waits until a later retry, and shortly for a step whose time has passed (sent elsewhere)', () => {
    expect(sagaJobOutcome({ attention: null, nextAttemptAt: new Date(now + 8000) }, now, 1000)).toEqual({ kind: 'delayed', until: now + 8000 });
    expect(sagaJobOutcome({ attention: null, nextAttemptAt: new Date(now - 1) }, now, 1000)).toEqual({ kind: 'delayed', until: now + 1000 });
    expect(sagaJobOutcome({ attention: null, nextAttemptAt: new Date(now) }, now, 250)).toEqual({ kind: 'delayed', until: now + 250 });
  });

  it('completes when nothing is open (done, or waiting for a production report)', () => {
    expect(sagaJobOutcome({ attention: null, nextAttemptAt: null }, now, 1000)).toEqual({ kind: 'completed' });
  });
});
