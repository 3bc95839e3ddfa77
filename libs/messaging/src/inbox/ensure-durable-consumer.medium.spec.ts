import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { durableConsumerConfig, ensureDurableConsumer } from './event-consumer';

/**
 * Re-provisioning an existing durable consumer (another NATS_REPLICAS, or consumers made before
 * the setting existed, stored with 0 replicas) must update it, not create it again: NATS 2.10+
 * refuses a create whose configuration differs ("consumer already exists").
 */
const stream = `ensure_consumer_${process.pid}_${Date.now()}`;
const subjects = `${stream}.>`;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subjects] });
});
afterAll(async () => {
  await jsm?.streams.delete(stream).catch(() => undefined);
  await nc?.close();
});

describe('ensureDurableConsumer', () => {
  const spec = { name: 'c1', filterSubject: `${stream}.evt.>`, deliverPolicy: 'all' as const };

  it('creates a missing consumer with its replicas', async () => {
    await ensureDurableConsumer(jsm, stream, durableConsumerConfig(spec, 1));
    expect((await jsm.consumers.info(stream, 'c1')).config.num_replicas).toBe(1);
  });

  it('updates the replicas of a consumer stored without them (made before NATS_REPLICAS), keeping its place', async () => {
    const { num_replicas: _omitted, ...old } = durableConsumerConfig({ ...spec, name: 'c2' }, 1);
    await jsm.consumers.add(stream, old);
    expect((await jsm.consumers.info(stream, 'c2')).config.num_replicas ?? 0).toBe(0);
    const add = jsm.consumers.add.bind(jsm.consumers);
    let creates = 0;
    jsm.consumers.add = (async (...args: Parameters<typeof add>) => {
      creates++;
      return add(...args);
    }) as typeof jsm.consumers.add;
    try {
      await ensureDurableConsumer(jsm, stream, durableConsumerConfig({ ...spec, name: 'c2' }, 1));
      await ensureDurableConsumer(jsm, stream, durableConsumerConfig({ ...spec, name: 'c2' }, 1));
    } finally {
      jsm.consumers.add = add;
    }
    expect(creates).toBe(0);
    const info = await jsm.consumers.info(stream, 'c2');
    expect(info.config.num_replicas).toBe(1);
    expect(info.config.filter_subject).toBe(`${stream}.evt.>`);
  });
});
