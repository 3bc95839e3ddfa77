import type { DataSource, EntityManager } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { EVENTS_STREAM, type DomainEvent } from '@ecert/contracts';
import { InboxRecord } from './inbox-record.entity';

export type EventHandler = (event: DomainEvent, manager: EntityManager) => Promise<void>;

export interface EventConsumerOptions {
  /** Durable consumer name; also the inbox `consumer` key. */
  name: string;
  /** Subject filter (may end in a wildcard); one subject because NATS before 2.10 takes one. */
  filterSubject: string;
  handler: EventHandler;
}

/**
 * A durable JetStream consumer that applies each event exactly once: the inbox row and the
 * handler's writes commit in one transaction, and a redelivered event whose row exists is only
 * acknowledged.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    private readonly ds: DataSource,
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly opts: EventConsumerOptions,
  ) {}

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.add(EVENTS_STREAM, {
      durable_name: this.opts.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.opts.filterSubject,
      ack_wait: 30_000_000_000,
      max_deliver: -1,
    });
    const consumer = await jetstream(this.nc).consumers.get(EVENTS_STREAM, this.opts.name);
    this.messages = await consumer.consume({ max_messages: 100 });
    this.loop = (async () => {
      for await (const m of this.messages!) {
        let event: DomainEvent;
        try {
          event = m.json<DomainEvent>();
        } catch {
          this.logger.error({ subject: m.subject }, 'undecodable event; terminating it');
          m.term();
          continue;
        }
        try {
          const applied = await this.apply(event);
          m.ack();
          this.logger.debug({ eventId: event.id, type: event.type, applied }, 'event consumed');
        } catch (e) {
          this.logger.error({ eventId: event.id, type: event.type, err: (e as Error).message }, 'event handler failed; will be redelivered');
          m.nak(2000);
        }
      }
    })();
  }

  /** Returns false when the event had already been applied. */
  async apply(event: DomainEvent): Promise<boolean> {
    return this.ds.transaction(async (manager) => {
      const table = this.ds.getMetadata(InboxRecord).tablePath.split('.').map((x) => `"${x}"`).join('.');
      const rows: unknown[] = await manager.query(
        `INSERT INTO ${table} (consumer, event_id, type, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.opts.name, event.id, event.type, event.aggregateId, JSON.stringify(event)],
      );
      if (!rows.length) return false;
      await this.opts.handler(event, manager);
      return true;
    });
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
  }
}
