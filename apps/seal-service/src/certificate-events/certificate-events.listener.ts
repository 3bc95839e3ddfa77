import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers } from '@ecert/contracts';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, consumerProvisioning, EventConsumer, LOGGER, NATS_CONNECTION, OUTBOX_RELAY, type BusIdentity, type EventBatchHandler, type EventHandler, type OutboxRelay } from '@ecert/messaging';
import { inEventContext, SealLifecycle } from './seal-lifecycle.service';

/** Durable consumer name of the seal-service on the certificate events (also the inbox key of both its lanes). */
export const SEAL_CERTIFICATE_CONSUMER = durableConsumers().sealCertificates.name;

/**
 * Follows the cert-service's certificate events: each is applied exactly once, its inbox row and
 * the seals' changes committing in one transaction (see SealLifecycle). Two durable consumers, one
 * handler and one inbox: the ordinary events, and the bulk lane (第二十条 invalidations by the
 * hundred thousand) apart, so a freeze never waits behind a run's backlog. The lanes are not
 * ordered with each other; SealLifecycle is order-tolerant (certificate_state positions).
 */
@Injectable()
export class CertificateEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumers: EventConsumer[] = [];

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
    const { sealCertificates, sealCertificatesBulk } = durableConsumers();
    for (const spec of [sealCertificates, sealCertificatesBulk]) {
      // Seal events written to the outbox in a batch's transaction are published once it committed;
      // a batch that wrote none (an issuance burst: states only) does not send the relay looking.
      // Per lane: the other lane's commit must not take this one's kick.
      let wrote = false;
      const handler: EventHandler = async (event, manager) => {
        logger.debug({ eventId: event.id, type: event.type, serial: event.aggregateId }, 'certificate event');
        if (await inEventContext(event, () => this.lifecycle.apply(event, manager, logger))) wrote = true;
      };
      // A burst's issued certificates recorded in a few statements for the batch (SealLifecycle.applyAll).
      const batchHandler: EventBatchHandler = async (events, manager) => {
        if (await this.lifecycle.applyAll(events, manager, logger)) wrote = true;
      };
      const afterCommit = () => {
        if (!wrote) return;
        wrote = false;
        this.relay.kick();
      };
      const consumer = new EventConsumer(this.ds, this.nc, logger, { ...spec, ...consumerProvisioning(this.config), verifier: this.identity, handler, batchHandler, afterCommit });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
