import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { durableConsumers } from '@ecert/contracts';
import type { EcertConfig } from '@ecert/common';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, selfProvisioning, EventConsumer, LOGGER, NATS_CONNECTION, type BusIdentity } from '@ecert/messaging';

/**
 * Follows the cert-service's certificate events. For now it records each one exactly once in
 * the inbox; the workflow domain's reactions hang off this handler as they are built.
 */
@Injectable()
export class CertificateEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: EventConsumer;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(BUS_IDENTITY) private readonly identity: BusIdentity,
    @Inject(CONFIG) private readonly config: EcertConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new EventConsumer(this.ds, this.nc, this.logger.child({ component: 'certificate-events' }), {
      ...durableConsumers().workflowCertificates,
      provision: selfProvisioning(this.config),
      verifier: this.identity,
      handler: async (event) => {
        this.logger.debug({ eventId: event.id, type: event.type, serial: event.aggregateId }, 'certificate event recorded');
      },
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
