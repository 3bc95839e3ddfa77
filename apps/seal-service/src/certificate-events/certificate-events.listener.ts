import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { requestContext, type EcertConfig } from '@ecert/common';
import { durableConsumers } from '@ecert/contracts';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, selfProvisioning, EventConsumer, LOGGER, NATS_CONNECTION, OUTBOX_RELAY, type BusIdentity, type OutboxRelay } from '@ecert/messaging';
import { SealLifecycle } from './seal-lifecycle.service';

/** Durable consumer name of the seal-service on the certificate events (also its inbox key). */
export const SEAL_CERTIFICATE_CONSUMER = durableConsumers().sealCertificates.name;

/**
 * Follows the cert-service's certificate events: each is applied exactly once, its inbox row and
 * the seals' changes committing in one transaction (see SealLifecycle).
 */
@Injectable()
export class CertificateEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: EventConsumer;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly lifecycle: SealLifecycle,
    @Inject(BUS_IDENTITY) private readonly identity: BusIdentity,
    @Inject(CONFIG) private readonly config: EcertConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.logger.child({ component: 'certificate-events' });
    this.consumer = new EventConsumer(this.ds, this.nc, logger, {
      ...durableConsumers().sealCertificates,
      provision: selfProvisioning(this.config),
      verifier: this.identity,
      handler: async (event, manager) => {
        logger.debug({ eventId: event.id, type: event.type, serial: event.aggregateId }, 'certificate event');
        // The request that caused the event follows into the seals' history and the cert-service's
        // logs; no client or region: the platform acts on its own behalf here.
        await requestContext.run({ requestId: event.requestId ?? `event:${event.id}` }, () => this.lifecycle.apply(event, manager, logger));
        // Seal events were written to the outbox in this transaction: publish them soon after commit.
        setImmediate(() => this.relay.kick());
      },
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
