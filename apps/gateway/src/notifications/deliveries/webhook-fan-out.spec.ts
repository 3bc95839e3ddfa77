import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { NATIONAL_SCOPE } from '@ecert/common';
import type { DomainEvent } from '@ecert/contracts';
import { fanOutWebhooks, type WebhookSubscriptionCache } from './webhook-fan-out';

/**
 * A batch of consumed events shares one read of the subscriptions per read operation, and each
 * event is still fanned out to exactly the subscriptions it matches.
 */
function recordingManager() {
  const reads: unknown[][] = [];
  const deliveries: { subscription: string; event: string }[] = [];
  const subscriptions = [
    { id: 's1', client_id: 'c1', event_types: ['certificate.*'], region_codes: [NATIONAL_SCOPE], client_regions: null },
    { id: 's2', client_id: 'c2', event_types: ['certificate.frozen'], region_codes: ['450100'], client_regions: ['450000'] },
    { id: 's3', client_id: 'c3', event_types: ['seal.*'], region_codes: [NATIONAL_SCOPE], client_regions: null },
  ];
  const manager = {
    query: async (sql: string, params: unknown[]) => {
      if (sql.includes('FROM "gateway"."webhook_subscription"')) {
        reads.push(params);
        const op = params[0];
        return subscriptions.filter((s) => (op === 'seals:read' ? s.id === 's3' : s.id !== 's3'));
      }
      deliveries.push({ subscription: params[1] as string, event: params[2] as string });
      return [];
    },
  } as unknown as EntityManager;
  return { manager, reads, deliveries };
}

const event = (type: string, regionCode: string): DomainEvent => ({ id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId: 'ab', data: { serial: 'ab', regionCode } });

describe('fanOutWebhooks over a batch', () => {
  it('reads the subscriptions once per read operation and writes the same deliveries as one event at a time', async () => {
    const batch = [event('certificate.frozen', '450100'), event('certificate.issued', '450100'), event('certificate.frozen', '110000'), event('seal.created', '450100')];

    const alone = recordingManager();
    const aloneWritten = [];
    for (const e of batch) aloneWritten.push(await fanOutWebhooks(alone.manager, e));

    const batched = recordingManager();
    const cache: WebhookSubscriptionCache = new Map();
    const batchedWritten = [];
    for (const e of batch) batchedWritten.push(await fanOutWebhooks(batched.manager, e, cache));

    expect(alone.reads.length).toBe(4);
    expect(batched.reads).toEqual([['certificates:read'], ['seals:read']]);
    expect(batchedWritten).toEqual(aloneWritten);
    expect(batched.deliveries).toEqual(alone.deliveries);
    // s2 only for the freeze in its region; s1 for every certificate event; s3 for the seal event.
    expect(batchedWritten).toEqual([['s1', 's2'], ['s1'], ['s1'], ['s3']]);
  });
});
