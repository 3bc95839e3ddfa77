import type { DataSource, EntityManager } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { preparedQuery, quotedTablePath } from '@ecert/database';
import { EVENT_SIGNATURE_HEADER, EVENT_SIGNER_HEADER, EVENTS_STREAM, eventArrivesOn, eventPublisher, type DomainEvent } from '@ecert/contracts';
import type { BusIdentity } from '../identity/bus-identity';
import { InboxRecord } from './inbox-record.entity';

export type EventHandler = (event: DomainEvent, manager: EntityManager) => Promise<void>;
/** Applies several new events, in delivery order, in the one transaction of their inbox rows. */
export type EventBatchHandler = (events: DomainEvent[], manager: EntityManager) => Promise<void>;

type Admitted = { m: JsMsg; event: DomainEvent };

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Events whose handler failed alone, remembered so a batch holding one is not tried whole again. */
const SUSPECTS_MAX = 1000;

/** Events applied in one transaction at most (what was delivered while the previous batch ran). */
export const EVENT_BATCH_MAX = 64;

export interface EventConsumerOptions {
  /** Durable consumer name; also the inbox `consumer` key unless `inboxKey` says otherwise. */
  name: string;
  /** The inbox `consumer` key (DurableConsumerSpec.inboxKey: a bulk-lane twin shares its ordinary consumer's). */
  inboxKey?: string;
  /** Subject filter (may end in a wildcard); one subject because NATS before 2.10 takes one. */
  filterSubject: string;
  handler: EventHandler;
  /**
   * Applies a batch's new events at once (one statement where the handler would write one per
   * event); without it, `handler` runs for each in turn. Must do what `handler` would, in order.
   */
  batchHandler?: EventBatchHandler;
  /** Checks each event's signature: only its type's publisher (bus-context.ts) may have sent it. */
  verifier: BusIdentity;
  /** Create the durable consumer if missing (development); with NATS authorisation the operator has. */
  provision?: boolean;
  /** Copies of the consumer's state when this process creates it (NATS_REPLICAS, as the stream's). */
  replicas?: number;
  /** Called once the handler's transaction committed (work to start that must see its rows). */
  afterCommit?: (event: DomainEvent) => void;
  /** Where a newly created consumer starts (DurableConsumerSpec.deliverPolicy). */
  deliverPolicy?: 'all' | 'new';
}

/** The one configuration of a durable events consumer, whoever creates it (service or operator). */
export function durableConsumerConfig(spec: { name: string; filterSubject: string; deliverPolicy?: 'all' | 'new' }, replicas = 1) {
  return {
    // As many copies as the stream: a consumer at R1 on a cluster would lose its place (and stop) with its one node.
    num_replicas: replicas,
    durable_name: spec.name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    ack_wait: 30_000_000_000,
    max_deliver: -1,
  };
}

/**
 * Creates the durable consumer, or brings an existing one to `config`'s number of replicas.
 * NATS 2.10+ refuses a create whose configuration differs from the stored one ("consumer already
 * exists"), so re-provisioning with a new NATS_REPLICAS (or after an upgrade: consumers made
 * before were stored with 0, "as the stream") must update instead. Only the replicas are updated:
 * the rest of the configuration is fixed for a consumer's life (its deliver policy cannot change).
 */
/** A JetStream API answer that the stream or consumer asked for does not exist. */
export function isJetStreamNotFound(e: unknown): boolean {
  const err = e as { message?: string; code?: string | number } | undefined;
  return /not found/i.test(String(err?.message)) || String(err?.code) === '404';
}

export async function ensureDurableConsumer(jsm: JetStreamManager, stream: string, config: ReturnType<typeof durableConsumerConfig>): Promise<void> {
  const existing = await jsm.consumers.info(stream, config.durable_name).catch((e: unknown) => {
    if (isJetStreamNotFound(e)) return undefined;
    throw e;
  });
  if (!existing) {
    await jsm.consumers.add(stream, config);
    return;
  }
  if ((existing.config.num_replicas ?? 0) !== config.num_replicas) await jsm.consumers.update(stream, config.durable_name, { num_replicas: config.num_replicas });
}

/**
 * A durable JetStream consumer that applies each event exactly once: the inbox row and the
 * handler's writes commit in one transaction, and a redelivered event whose row exists is only
 * acknowledged. An event not signed by the one service that publishes its type is dropped
 * (anyone who can publish on the stream's subjects could otherwise steer the consumers), and so
 * is one on a subject that is not its type's (the signature covers the body only).
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly suspects = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly opts: EventConsumerOptions,
  ) {}

  async start(): Promise<void> {
    if (this.opts.provision !== false) await ensureDurableConsumer(await jetstreamManager(this.nc), EVENTS_STREAM, durableConsumerConfig(this.opts, this.opts.replicas));
    const consumer = await jetstream(this.nc).consumers.get(EVENTS_STREAM, this.opts.name);
    this.messages = await consumer.consume({ max_messages: 100 });
    this.loop = this.follow(this.messages);
  }

  /**
   * Reads messages into a queue that one worker drains in batches: whatever arrived while a batch
   * was being applied forms the next one — one transaction (one commit, one multi-row inbox
   * insert) per batch under a burst, one event at a time when quiet. The reader waits while two
   * batches are queued: what is held unacknowledged is those and the client's pull buffer.
   */
  private async follow(messages: ConsumerMessages): Promise<void> {
    const queue: Admitted[] = [];
    let wakeWorker: (() => void) | undefined;
    let wakeReader: (() => void) | undefined;
    let ended = false;
    const worker = (async () => {
      for (;;) {
        if (!queue.length) {
          if (ended) return;
          await new Promise<void>((resolve) => (wakeWorker = resolve));
          continue;
        }
        // applyBatch handles every failure itself; a throw here would stop the worker and leave
        // the reader waiting for room forever.
        await this.applyBatch(queue.splice(0, EVENT_BATCH_MAX)).catch((e: Error) => this.logger.error({ err: e.message }, 'event batch could not be handled'));
        wakeReader?.();
      }
    })();
    for await (const m of messages) {
      const event = this.admit(m);
      if (!event) continue;
      queue.push({ m, event });
      wakeWorker?.();
      while (queue.length >= 2 * EVENT_BATCH_MAX) await new Promise<void>((resolve) => (wakeReader = resolve));
    }
    ended = true;
    wakeWorker?.();
    await worker;
  }

  /** The event of a message, or undefined (and the message terminated) when it is not a genuine one. */
  private admit(m: JsMsg): DomainEvent | undefined {
    let event: DomainEvent;
    try {
      event = m.json<DomainEvent>();
    } catch {
      this.logger.error({ subject: m.subject }, 'undecodable event; terminating it');
      m.term();
      return undefined;
    }
    const forged = this.forgery(event, m.subject, m.data, m.headers?.get(EVENT_SIGNER_HEADER) ?? '', m.headers?.get(EVENT_SIGNATURE_HEADER) ?? '');
    if (forged) {
      this.logger.error({ subject: m.subject, eventId: event?.id, type: event?.type, why: forged }, 'SECURITY: event refused; terminating it');
      m.term();
      return undefined;
    }
    return event;
  }

  /**
   * Applies a batch in one transaction and acknowledges it; if that fails (one event's handler
   * throws, a deadlock), each event is tried alone, so one bad event holds back only itself.
   */
  private async applyBatch(batch: Admitted[]): Promise<void> {
    // A batch holding an event that failed on its own before goes one event at a time: rolling back
    // and replaying up to 63 good events at every redelivery of a poison one would be wasted work.
    // A batch of one goes the batch handler's way too when there is one (its statements are the
    // cheaper ones: a quiet stream delivers events one at a time); failing, it is redelivered and
    // then handled by `handler`, the fallback.
    if ((batch.length > 1 || this.opts.batchHandler) && !batch.some((b) => this.suspects.has(b.event.id))) {
      let applied: DomainEvent[] | undefined;
      try {
        applied = await this.applyAll(batch.map((b) => b.event), true);
      } catch (e) {
        if (batch.length === 1) {
          // Not tried again with `handler` at once (the work outside the transaction, such as a
          // seal's signatures, would be done twice): redelivered, as a suspect it goes `handler`'s way.
          return this.failed(batch[0]!.m, batch[0]!.event, e);
        }
        this.logger.warn({ events: batch.length, err: (e as Error).message }, 'event batch failed; applying its events one by one');
      }
      if (applied) {
        // Committed: from here on nothing may send the batch down the one-by-one path.
        for (const { m } of batch) this.acknowledge(m);
        for (const event of applied) this.afterCommit(event);
        this.logger.debug({ events: batch.length, applied: applied.length }, 'events consumed');
        return;
      }
    }
    for (const { m, event } of batch) {
      let applied: boolean;
      try {
        applied = await this.apply(event);
      } catch (e) {
        this.failed(m, event, e);
        continue;
      }
      this.suspects.delete(event.id);
      this.acknowledge(m);
      if (applied) this.afterCommit(event);
      this.logger.debug({ eventId: event.id, type: event.type, applied }, 'event consumed');
    }
  }

  /** An event whose handling failed: redelivered after a pause, and from then on handled alone. */
  private failed(m: JsMsg, event: DomainEvent, e: unknown): void {
    this.logger.error({ eventId: event.id, type: event.type, err: (e as Error).message }, 'event handler failed; will be redelivered');
    if (this.suspects.size >= SUSPECTS_MAX) this.suspects.clear();
    this.suspects.add(event.id);
    try {
      m.nak(2000);
    } catch {
      // The connection is closing: the message is redelivered after ack_wait anyway.
    }
  }

  private acknowledge(m: JsMsg): void {
    try {
      m.ack();
    } catch (e) {
      // Applied and committed; a redelivery finds the inbox row and is only acknowledged.
      this.logger.warn({ err: (e as Error).message }, 'could not acknowledge an applied event; it will be redelivered and skipped');
    }
  }

  private afterCommit(event: DomainEvent): void {
    try {
      this.opts.afterCommit?.(event);
    } catch (e) {
      this.logger.error({ eventId: event.id, type: event.type, err: (e as Error).message }, 'work after an applied event failed');
    }
  }

  /** Why the event is not genuine, or undefined when its publisher signed it and it came on its type's subject. */
  forgery(event: DomainEvent, subject: string, body: Uint8Array, signer: string, signature: string): string | undefined {
    if (!event || typeof event.type !== 'string' || typeof event.id !== 'string') return 'not an event';
    // The inbox stores the id as a uuid and answers it in canonical form: any other spelling of
    // the same id would be recorded and then not recognised as the one just inserted.
    if (!CANONICAL_UUID.test(event.id)) return 'the event id is not a canonical (lower-case) UUID';
    // A signed freeze replayed on the bulk lane (or any event on another type's subject) would be
    // applied out of its lane's order, or by a consumer that filters it out on purpose.
    if (!eventArrivesOn(event.type, subject)) return `${event.type} does not travel on ${subject}`;
    const publisher = eventPublisher(event.type);
    if (!publisher) return `no service publishes ${event.type}`;
    if (signer !== publisher) return `${event.type} must come from ${publisher}, not '${signer || 'unsigned'}'`;
    if (!this.opts.verifier.verifyBytes(signer, body, signature, { remember: true })) return `the signature of ${signer} does not verify`;
    return undefined;
  }

  /** Applies one event with `handler`; returns false when the event had already been applied. */
  async apply(event: DomainEvent): Promise<boolean> {
    return (await this.applyAll([event], false)).length === 1;
  }

  /**
   * Applies, in one transaction, those of `events` (at most EVENT_BATCH_MAX) not yet in the inbox
   * (in their order; an event delivered twice within the batch once) and returns them; with the
   * batch handler when `batched` and there is one, else with `handler` event by event.
   */
  private async applyAll(events: DomainEvent[], batched: boolean): Promise<DomainEvent[]> {
    return this.ds.transaction(async (manager) => {
      const table = quotedTablePath(this.ds, InboxRecord);
      const params: unknown[] = [this.opts.inboxKey ?? this.opts.name];
      const values = events.map((e) => {
        params.push(e.id, e.type, e.aggregateId, JSON.stringify(e));
        const n = params.length;
        return `($1, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      // One statement shape per batch size (at most EVENT_BATCH_MAX): prepared once per connection.
      const rows = await preparedQuery<{ event_id: string }>(
        manager,
        `INSERT INTO ${table} (consumer, event_id, type, aggregate_id, payload) VALUES ${values.join(', ')}
         ON CONFLICT DO NOTHING RETURNING event_id`,
        params,
      );
      const fresh = new Set(rows.map((r) => r.event_id));
      const applied = events.filter((e) => fresh.delete(e.id.toLowerCase()));
      if (!applied.length) return applied;
      if (batched && this.opts.batchHandler) await this.opts.batchHandler(applied, manager);
      else for (const event of applied) await this.opts.handler(event, manager);
      return applied;
    });
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
  }
}
