import { describe, expect, it } from 'vitest';
import type { CertificateOperationsOverview, DeadLetters, WorkflowOperationsOverview } from '@ecert/contracts';
import { assembleOverview } from './operations-overview';

const workflow: WorkflowOperationsOverview = {
  slaBreaches: { total: 3, byTier: [{ tier: 'city', count: 3 }], byRegion: [{ regionCode: '450102', count: 3 }] },
  needsAttention: { total: 1, oldest: [{ applicationId: 'a', regionCode: '450102', step: 'issue_certificate', reason: '409 x', since: '2026-01-01T00:00:00.000Z' }] },
};
const certificates: CertificateOperationsOverview = {
  renewalsDue: { windowDays: 30, total: 2, byRegion: [{ regionCode: '450100', count: 2 }] },
  invalidationsDue: { total: 1, byReason: [{ reason: 'idle', count: 1 }] },
  invalidListSize: 0,
};
const deadLetters: DeadLetters = {
  webhooks: { total: 1, oldest: [{ deliveryId: 'd', subscriptionId: 's', clientId: 'c', eventType: 'certificate.revoked', attempts: 8, lastStatusCode: 500, lastError: 'HTTP 500', deadAt: '2026-11-30T00:00:00.000Z' }] },
  mails: { total: 0, oldest: [] },
};
const at = new Date('2026-12-01T00:00:00Z');

describe('assembleOverview', () => {
  it('puts each service\'s part under late, failed and due, queues with most failures first', () => {
    const o = assembleOverview({
      at,
      regions: ['000000'],
      workflow: { ok: true, value: workflow },
      certificates: { ok: true, value: certificates },
      deadLetters: { ok: true, value: deadLetters },
      queues: { ok: true, value: [{ queue: 'a', failed: 0 }, { queue: 'webhook-deliveries', failed: 2 }] },
    });
    expect(o).toEqual({
      generatedAt: '2026-12-01T00:00:00.000Z',
      regions: ['000000'],
      late: { slaBreaches: workflow.slaBreaches },
      failed: { sagasNeedingAttention: workflow.needsAttention, deadLetters, queues: [{ queue: 'webhook-deliveries', failed: 2 }, { queue: 'a', failed: 0 }] },
      due: { renewals: certificates.renewalsDue, invalidations: certificates.invalidationsDue, invalidListSize: 0 },
      unavailable: [],
    });
  });

  it('names what did not answer and leaves its fields null, keeping the rest', () => {
    const o = assembleOverview({ at, regions: ['450100'], workflow: { ok: false, source: 'workflow-service' }, certificates: { ok: true, value: certificates }, deadLetters: { ok: false, source: 'gateway-deliveries' }, queues: { ok: false, source: 'queues' } });
    expect(o.late.slaBreaches).toBeNull();
    expect(o.failed.sagasNeedingAttention).toBeNull();
    // Not an empty list: nobody could look.
    expect(o.failed.queues).toBeNull();
    expect(o.failed.deadLetters).toBeNull();
    expect(o.due.renewals).toEqual(certificates.renewalsDue);
    expect(o.unavailable).toEqual(['workflow-service', 'gateway-deliveries', 'queues']);
  });
});
