import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { EcertConfig } from '@ecert/common';
import { EVENTS_STREAM, EVENTS_SUBJECT_WILDCARD } from '@ecert/contracts';

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

/**
 * A connection that keeps trying forever: a NATS restart must not kill a service, its outbox
 * simply holds events until the bus is back.
 */
export async function connectNats(url: string, name: string, credentials: Partial<NatsIdentityOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    ...credentials,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
  });
}

const DAY_NS = 24 * 3600 * 1_000_000_000;

/** Creates (or updates) the events stream. The dedup window bounds how late a re-publish is caught. */
export async function ensureEventsStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: EVENTS_STREAM,
    subjects: [EVENTS_SUBJECT_WILDCARD],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: DAY_NS,
    max_age: 30 * DAY_NS,
  };
  try {
    await jsm.streams.info(EVENTS_STREAM);
    await jsm.streams.update(EVENTS_STREAM, config);
  } catch (e) {
    if (!/not found/i.test(String((e as Error).message))) throw e;
    await jsm.streams.add(config);
  }
}

export async function deleteEventsStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(EVENTS_STREAM).catch(() => undefined);
}
