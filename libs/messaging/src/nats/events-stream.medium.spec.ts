/**
 * ensureEventsStream against the real NATS (this file's prefix and stream): a consumer an earlier
 * release ran (retiredDurableConsumers) is deleted where the stream is ensured, the ones this
 * release runs are left alone, and ensuring twice is harmless.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadConfig } from '@ecert/common';
import { durableConsumers, eventsStreamName, retiredDurableConsumers } from '@ecert/contracts';
import { durableConsumerConfig, ensureDurableConsumer } from '../inbox/event-consumer';
import { connectNats, deleteEventsStream, ensureEventsStream } from './nats-connection';

const config = loadConfig(process.env);
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectNats(config.NATS_URL, 'events-stream-spec');
});

afterAll(async () => {
  if (!nc) return;
  await deleteEventsStream(nc);
  await nc.drain().catch(() => undefined);
});

it('deletes the retired consumers and keeps the live ones', async () => {
  await ensureEventsStream(nc, 1);
  const jsm = await jetstreamManager(nc);
  const stream = eventsStreamName();
  const retired = retiredDurableConsumers();
  expect(retired.length).toBeGreaterThan(0);
  const live = durableConsumers().sealCertificates;
  // As an earlier release left them: the retired ones created with a live one's configuration.
  for (const name of retired) await ensureDurableConsumer(jsm, stream, durableConsumerConfig({ ...live, name }, 1));
  await ensureDurableConsumer(jsm, stream, durableConsumerConfig(live, 1));
  const names = async () => (await jsm.consumers.list(stream).next()).map((c) => c.name).sort();
  expect(await names()).toEqual([...retired, live.name].sort());

  await ensureEventsStream(nc, 1);
  expect(await names()).toEqual([live.name]);
  // Nothing left to delete: a second run neither fails nor touches the live one.
  await ensureEventsStream(nc, 1);
  expect(await names()).toEqual([live.name]);
  // No live consumer carries a retired name.
  expect(Object.values(durableConsumers()).map((c) => c.name).filter((n) => retired.includes(n))).toEqual([]);
});
