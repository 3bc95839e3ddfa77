import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { requestContext, type RequestContext } from '@ecert/common';
import { NOTIFIER_ACTOR } from '@ecert/contracts';
import { FindHandlerContactUseCase } from './find-handler-contact.use-case';

/** A data source that records the lookups it is asked (none may happen for a refused caller). */
function recordingDs() {
  const asked: unknown[][] = [];
  return { asked, ds: { query: async (...args: unknown[]) => (asked.push(args), []) } as unknown as DataSource };
}

const notifier: RequestContext = { requestId: 'r', caller: 'gateway', actor: NOTIFIER_ACTOR, regions: ['000000'], operations: [] };

describe('who may read a handler\'s contact', () => {
  it('answers the gateway\'s notifier on its own errand', async () => {
    const { ds, asked } = recordingDs();
    await expect(requestContext.run(notifier, () => new FindHandlerContactUseCase(ds).execute({ certificateSerial: 'ABCDEF' }))).resolves.toEqual({ found: false });
    expect(asked).toHaveLength(1);
  });

  // Each condition alone: every other part of the context is the notifier's.
  for (const [why, ctx] of [
    ['another bus caller', { ...notifier, caller: 'cert-service' }],
    ['the workflow-service itself', { ...notifier, caller: 'workflow-service' }],
    ['a client forwarded by the gateway', { ...notifier, clientId: 'c1' }],
    ['a staff role', { ...notifier, role: 'admin' }],
    ['another actor', { ...notifier, actor: 'staff-1' }],
  ] as const) {
    it(`refuses ${why}`, async () => {
      const { ds, asked } = recordingDs();
      await expect(requestContext.run(ctx, () => new FindHandlerContactUseCase(ds).execute({ certificateSerial: 'ABCDEF' }))).rejects.toMatchObject({ status: 403, code: 'bus_caller_forbidden' });
      expect(asked).toEqual([]);
    });
  }
});
