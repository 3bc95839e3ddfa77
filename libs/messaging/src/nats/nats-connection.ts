import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers, eventsStreamName, natsPrefix, retiredDurableConsumers } from '@ecert/contracts';
import { durableConsumerConfig, ensureDurableConsumer, isJetStreamNotFound } from '../inbox/event-consumer';

/**
 * Whether services create the events stream and their consumers themselves: on a development
 * server without credentials they do; with NATS authorisation the operator provisions them
 * (`npm run nats:provision`) and services hold no right to create or change either.
 */
export function selfProvisioning(config: Pick<EcertConfig, 'NATS_USER'>): boolean {
  return !config.NATS_USER;
}

/**
 * How a service's durable consumers are created: by the service itself on a development server
 * (then at the configured NATS_REPLICAS, like the stream), or not at all (the operator has).
 */
export function consumerProvisioning(config: Pick<EcertConfig, 'NATS_USER' | 'NATS_REPLICAS'>): { provision: boolean; replicas: number } {
  return { provision: selfProvisioning(config), replicas: config.NATS_REPLICAS };
}

/** Reply subjects of a principal: each may subscribe to its own only (deploy/nats permissions). */
export const inboxPrefixOf = (principal: string) => `_INBOX_${principal.replace(/[^A-Za-z0-9-]/g, '_')}`;

export interface NatsIdentityOptions {
  user?: string;
  pass?: string;
  inboxPrefix: string;
}

/**
 * How a principal's process connects: its own user and password when configured (see
 * deploy/nats), and its own reply-subject prefix, so no other process may read its replies.
 */
export function natsCredentials(config: Pick<EcertConfig, 'NATS_USER' | 'NATS_PASSWORD'>, principal: string): NatsIdentityOptions {
  return { ...(config.NATS_USER ? { user: config.NATS_USER, pass: config.NATS_PASSWORD } : {}), inboxPrefix: inboxPrefixOf(principal) };
}

/** The servers of NATS_URL: one URL, or the nodes of a cluster separated by commas. */
export const natsServers = (url: string): string[] => url.split(',').map((u) => u.trim()).filter(Boolean);

/**
 * A connection that keeps trying forever: a NATS restart must not kill a service, its outbox
 * simply holds events until the bus is back. `url` may list several servers (comma-separated,
 * the nodes of a cluster): the client connects to one, learns the others from it, and moves to
 * a surviving one when its node goes.
 */
export async function connectNats(url: string, name: string, credentials: Partial<NatsIdentityOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: natsServers(url),
    name,
    ...credentials,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    // nats.js otherwise builds an Error (a stack capture) for every request, JetStream publishes
    // included, only to have a stack ready should it time out: 1.7 % of the cert-service's CPU in
    // the issuance bench. A timeout still fails with its own error, without the caller's frames.
    noAsyncTraces: true,
  });
}

const DAY_NS = 24 * 3600 * 1_000_000_000;

/**
 * The events stream's subjects: every domain event, and the bulk lane's (BULK_EVENT_TYPES) apart
 * from them so that the `<prefix>.evt.>` consumers never see (and never wait behind) those.
 */
export const eventsStreamSubjects = (prefix = natsPrefix) => [`${prefix}.evt.>`, `${prefix}.bulk.>`];

/**
 * Creates (or updates) the events stream. The dedup window bounds how late a re-publish is caught.
 * An existing stream is updated to this configuration: a stream made before the bulk lane gains
 * its subjects here (services on a development server at start, the operator's nats:provision),
 * and the consumers this release no longer runs (retiredDurableConsumers) are removed.
 */
export async function ensureEventsStream(nc: NatsConnection, replicas: number, prefix = natsPrefix): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const stream = eventsStreamName(prefix);
  const config = {
    name: stream,
    // NATS_REPLICAS: 3 on a 3-node cluster, where the stream (and the consumers, same count) outlives one node.
    num_replicas: replicas,
    subjects: eventsStreamSubjects(prefix),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: DAY_NS,
    max_age: 30 * DAY_NS,
  };
  try {
    await jsm.streams.info(stream);
    await jsm.streams.update(stream, config);
  } catch (e) {
    if (!/not found/i.test(String((e as Error).message))) throw e;
    await jsm.streams.add(config);
  }
  for (const name of retiredDurableConsumers(prefix)) {
    await jsm.consumers.delete(stream, name).catch((e: unknown) => {
      if (!isJetStreamNotFound(e)) throw e;
    });
  }
}

export async function deleteEventsStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(eventsStreamName()).catch(() => undefined);
}

/**
 * What the NATS operator runs once per deployment (and after upgrades) when services hold no
 * right to create them: the events stream and every durable consumer, in their one configuration.
 */
export async function provisionEvents(nc: NatsConnection, replicas: number, prefix = natsPrefix): Promise<void> {
  await ensureEventsStream(nc, replicas, prefix);
  const jsm = await jetstreamManager(nc);
  for (const spec of Object.values(durableConsumers(prefix))) await ensureDurableConsumer(jsm, eventsStreamName(prefix), durableConsumerConfig(spec, replicas));
}
