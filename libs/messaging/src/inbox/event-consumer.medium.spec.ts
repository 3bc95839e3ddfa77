/**
 * The consumer applies a burst in batches (one transaction per batch) and still exactly once and in
 * order, against the real NATS (this file's prefix and stream) and PostgreSQL (a schema of its own):
 * a batch whose handler fails for one event falls back to one event at a time, so the others are
 * applied, the bad one is redelivered, and nothing of the failed batch is left half-written.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import pino from 'pino';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { loadConfig } from '@ecert/common';
import { EVENT_SIGNATURE_HEADER, EVENT_SIGNER_HEADER, eventSubject, natsPrefix, type DomainEvent } from '@ecert/contracts';
import { createServiceDataSource, dropDatabase, prepareServiceDatabase } from '@ecert/database';
import { BusIdentity } from '../identity/bus-identity';
import { connectNats, deleteEventsStream, ensureEventsStream } from '../nats/nats-connection';
import { createMessagingTables } from '../outbox/messaging-tables.migration-steps';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { EVENT_BATCH_MAX, EventConsumer } from './event-consumer';
import { InboxRecord } from './inbox-record.entity';

const SCHEMA = 'consumer_spec';
class ConsumerSpecTables implements MigrationInterface {
  name = 'ConsumerSpecTables1000000000000';
  async up(q: QueryRunner): Promise<void> {
    await createMessagingTables(q, SCHEMA);
    await q.query(`CREATE TABLE "${SCHEMA}"."applied" (seq serial PRIMARY KEY, event_id uuid NOT NULL, n int NOT NULL)`);
  }
  async down(): Promise<void> {}
}

const config = loadConfig(process.env);
const cert = BusIdentity.fromConfig(config, 'cert-service');
let ds: DataSource;
let nc: NatsConnection;
let js: JetStreamClient;
const consumers: EventConsumer[] = [];

beforeAll(async () => {
  ds = createServiceDataSource({ url: process.env.DATABASE_URL!, schema: SCHEMA, entities: [OutboxMessage, InboxRecord], migrations: [ConsumerSpecTables] });
  await prepareServiceDatabase(ds, SCHEMA);
  nc = await connectNats(config.NATS_URL, 'event-consumer-spec');
  js = jetstream(nc);
  await ensureEventsStream(nc, 1);
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  if (nc) {
    await deleteEventsStream(nc);
    await nc.drain().catch(() => undefined);
  }
  await ds?.destroy();
  await dropDatabase(process.env.DATABASE_URL!, /^ecert_t[a-z0-9]+$/);
});

function event(n: number): DomainEvent {
  return { id: randomUUID(), type: 'certificate.frozen', version: 1, occurredAt: new Date().toISOString(), aggregateId: `serial-${n}`, data: { n } };
}

async function publish(events: DomainEvent[]): Promise<void> {
  await Promise.all(
    events.map((e) => {
      const body = new TextEncoder().encode(JSON.stringify(e));
      const h = natsHeaders();
      h.set(EVENT_SIGNER_HEADER, cert.principal);
      h.set(EVENT_SIGNATURE_HEADER, cert.signBytes(body));
      return js.publish(eventSubject(e.type), body, { msgID: e.id, headers: h });
    }),
  );
}

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('EventConsumer: a burst in batches', () => {
  it('applies every event once, in order, in fewer transactions than events; a failing event holds back only itself', async () => {
    const burst = Array.from({ length: 600 }, (_, i) => event(i));
    const poison = burst[350]!.id;
    let failures = 0;
    const batches: number[] = [];
    const afterCommit: string[] = [];
    const consumer = new EventConsumer(ds, nc, pino({ level: 'silent' }), {
      name: 'batch_spec',
      filterSubject: `${natsPrefix}.evt.>`,
      verifier: BusIdentity.fromConfig(config, 'seal-service'),
      handler: async (e, m) => {
        if (e.id === poison && failures++ < 2) throw new Error('poison');
        await m.query(`INSERT INTO "${SCHEMA}"."applied" (event_id, n) VALUES ($1, $2)`, [e.id, (e.data as { n: number }).n]);
      },
      batchHandler: async (events, m) => {
        batches.push(events.length);
        if (events.some((e) => e.id === poison) && failures++ < 2) throw new Error('poison');
        await m.query(`INSERT INTO "${SCHEMA}"."applied" (event_id, n) SELECT * FROM unnest($1::uuid[], $2::int[])`, [events.map((e) => e.id), events.map((e) => (e.data as { n: number }).n)]);
      },
      afterCommit: (e) => afterCommit.push(e.id),
    });
    consumers.push(consumer);
    // Published before the consumer starts: it finds a backlog, the case batching is for.
    await publish(burst);
    await consumer.start();
    await until(async () => (await ds.query(`SELECT count(*)::int AS n FROM "${SCHEMA}"."applied"`))[0].n >= burst.length);
    // Redelivered copies of events already applied are acknowledged without being applied again.
    await publish(burst.slice(0, 5));
    await new Promise((r) => setTimeout(r, 1000));

    const applied: { event_id: string; n: number }[] = await ds.query(`SELECT event_id, n FROM "${SCHEMA}"."applied" ORDER BY seq`);
    expect(applied.length).toBe(burst.length);
    expect(new Set(applied.map((a) => a.event_id)).size).toBe(burst.length);
    const inbox: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM "${SCHEMA}"."inbox" WHERE consumer = 'batch_spec'`);
    expect(inbox[0]!.n).toBe(burst.length);
    // In order, except the poison event, which came back after its redelivery delay.
    const order = applied.map((a) => a.n).filter((n) => n !== 350);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(failures).toBeGreaterThanOrEqual(2);
    expect(afterCommit.length).toBe(burst.length);
    // Batched: many events per transaction, never more than the bound.
    expect(batches.length).toBeGreaterThan(0);
    expect(Math.max(...batches)).toBeLessThanOrEqual(EVENT_BATCH_MAX);
    expect(batches.reduce((a, b) => a + b, 0) / batches.length).toBeGreaterThan(4);
  });

  it('applies an event that arrives alone with the batch handler, and falls back to the handler when that fails', async () => {
    const lone = event(5000);
    const failing = event(5001);
    const viaBatch: string[] = [];
    const viaHandler: string[] = [];
    const consumer = new EventConsumer(ds, nc, pino({ level: 'silent' }), {
      name: 'lone_event_spec',
      filterSubject: `${natsPrefix}.evt.>`,
      verifier: BusIdentity.fromConfig(config, 'seal-service'),
      deliverPolicy: 'new',
      handler: async (e) => void viaHandler.push(e.id),
      batchHandler: async (events) => {
        if (events.some((e) => e.id === failing.id)) throw new Error('the batch path fails for this one');
        viaBatch.push(...events.map((e) => e.id));
      },
    });
    consumers.push(consumer);
    await consumer.start();
    await publish([lone]);
    await until(async () => viaBatch.includes(lone.id));
    await publish([failing]);
    await until(async () => viaHandler.includes(failing.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(viaBatch).toEqual([lone.id]);
    expect(viaHandler).toEqual([failing.id]);
    const inbox: { event_id: string }[] = await ds.query(`SELECT event_id FROM "${SCHEMA}"."inbox" WHERE consumer = 'lone_event_spec' ORDER BY event_id`);
    expect(inbox.map((r) => r.event_id).sort()).toEqual([lone.id, failing.id].sort());
  });

  it('keeps a committed batch committed when the work after it throws, and stops cleanly', async () => {
    const burst = Array.from({ length: 200 }, (_, i) => event(1000 + i));
    const handled = new Map<string, number>();
    let thrown = 0;
    // The stream still holds the first test's events: this consumer (delivering all) gets them too.
    const ours = new Set(burst.map((e) => e.id));
    const consumer = new EventConsumer(ds, nc, pino({ level: 'silent' }), {
      name: 'after_commit_spec',
      filterSubject: `${natsPrefix}.evt.>`,
      verifier: BusIdentity.fromConfig(config, 'seal-service'),
      handler: async (e) => void handled.set(e.id, (handled.get(e.id) ?? 0) + 1),
      batchHandler: async (events) => events.forEach((e) => handled.set(e.id, (handled.get(e.id) ?? 0) + 1)),
      afterCommit: (e) => {
        if (ours.has(e.id)) thrown++;
        throw new Error('after commit');
      },
    });
    await publish(burst);
    await consumer.start();
    await until(async () => burst.every((e) => handled.has(e.id)) && thrown >= burst.length);
    await new Promise((r) => setTimeout(r, 500));
    // Each applied once: a throw after the commit did not send the batch down the one-by-one path.
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(burst.every((e) => handled.get(e.id) === 1)).toBe(true);
    expect(thrown).toBe(burst.length);
    await consumer.stop();
  });
});
