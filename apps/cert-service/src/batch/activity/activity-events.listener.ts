import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers, type ActivityKind, type DomainEvent } from '@ecert/contracts';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, EventConsumer, LOGGER, NATS_CONNECTION, consumerProvisioning, type BusIdentity } from '@ecert/messaging';
import { writeActivity } from './activity-writer';

/**
 * Activity that happens in the seal-service: a seal made for a certificate (seal.created), a
 * document sealed or signed with it (document.sealed). Taken from its public events by durable
 * consumers, so nothing is missed while either service is down; each event's activity is written
 * in its inbox transaction (exactly once, with the event; the inbox row is a write per event anyway).
 */
@Injectable()
export class ActivityEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumers: EventConsumer[] = [];

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(BUS_IDENTITY) private readonly identity: BusIdentity,
    @Inject(CONFIG) private readonly config: EcertConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.logger.child({ component: 'activity-events' });
    const specs: [keyof ReturnType<typeof durableConsumers>, ActivityKind][] = [
      ['certSealActivity', 'seal_creation'],
      ['certDocumentActivity', 'document_signing'],
    ];
    for (const [key, kind] of specs) {
      const consumer = new EventConsumer(this.ds, this.nc, logger, {
        ...durableConsumers()[key],
        ...consumerProvisioning(this.config),
        verifier: this.identity,
        handler: async (event, manager) => {
          const serial = serialOf(event);
          if (!serial) return;
          await writeActivity(manager, [{ serial, at: new Date(event.occurredAt), kind }]);
        },
        batchHandler: async (events, manager) => {
          const rows = events.flatMap((event) => {
            const serial = serialOf(event);
            return serial ? [{ serial, at: new Date(event.occurredAt), kind }] : [];
          });
          if (rows.length) await writeActivity(manager, rows);
        },
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of this.consumers) await c.stop();
  }
}

function serialOf(event: DomainEvent): string | undefined {
  const s = (event.data as { certificateSerial?: unknown } | undefined)?.certificateSerial;
  return typeof s === 'string' && /^[0-9a-f]{2,40}$/.test(s) ? s : undefined;
}
