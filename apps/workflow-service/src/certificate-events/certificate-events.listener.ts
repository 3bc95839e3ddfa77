import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { durableConsumers } from '@ecert/contracts';
import type { EcertConfig } from '@ecert/common';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, consumerProvisioning, EventConsumer, LOGGER, NATS_CONNECTION, type BusIdentity, type EventHandler } from '@ecert/messaging';

/**
 * Follows the cert-service's certificate events. For now it records each one exactly once in
 * the inbox; the workflow domain's reactions hang off this handler as they are built. Two durable
 * consumers (ordinary and bulk lane, one inbox): the lanes are not ordered with each other, so a
 * reaction added here must not assume an event of one lane comes after an older one of the other
 * (the bulk lane carries only final events and news that changes no state: invalidations, reminders).
 */
@Injectable()
export class CertificateEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumers: EventConsumer[] = [];

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(BUS_IDENTITY) private readonly identity: BusIdentity,
    @Inject(CONFIG) private readonly config: EcertConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.logger.child({ component: 'certificate-events' });
    const handler: EventHandler = async (event) => {
      logger.debug({ eventId: event.id, type: event.type, serial: event.aggregateId }, 'certificate event recorded');
    };
    const { workflowCertificates, workflowCertificatesBulk } = durableConsumers();
    for (const spec of [workflowCertificates, workflowCertificatesBulk]) {
      const consumer = new EventConsumer(this.ds, this.nc, logger, { ...spec, ...consumerProvisioning(this.config), verifier: this.identity, handler });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
