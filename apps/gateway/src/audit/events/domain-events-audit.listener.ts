import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers } from '@ecert/contracts';
import { BusIdentity, connectNats, EventConsumer, natsCredentials, selfProvisioning } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../../gateway.tokens';
import { AuditTrail } from '../audit-trail.service';
import { eventAuditEntry } from './event-audit-entry';

/** Durable consumer name of the gateway's audit of every domain event (also its inbox key). */
export const AUDIT_EVENTS_CONSUMER = durableConsumers().gatewayAudit.name;

/**
 * Audits every domain event (certificate.*, seal.*, workflow events): the services may not write
 * the gateway's schema, so the owner of the audit trail follows their events instead. The same
 * durable, exactly-once consumer as the services' (libs/messaging): the inbox row and the audit
 * record commit in one transaction. It starts in the background and retries, so the gateway
 * serves (and audits its own calls) while NATS or the events stream is not there yet.
 */
@Injectable()
export class DomainEventsAudit {
  private nc?: NatsConnection;
  private consumer?: EventConsumer;
  private starting?: Promise<void>;
  private stopped = false;
  private wake?: () => void;
  private readonly logger: Logger;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) logger: Logger,
    private readonly audit: AuditTrail,
  ) {
    this.logger = logger.child({ component: 'audit-events' });
  }

  start(): void {
    this.starting ??= this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.nc ??= await connectNats(this.config.NATS_URL, 'gateway-audit-events', natsCredentials(this.config, 'gateway'));
        const consumer = new EventConsumer(this.ds, this.nc, this.logger, {
          ...durableConsumers().gatewayAudit,
          provision: selfProvisioning(this.config),
          verifier: BusIdentity.fromConfig(this.config, 'gateway'),
          handler: async (event, manager) => {
            await this.audit.appendInTransaction(manager, [eventAuditEntry(event)]);
          },
        });
        await consumer.start();
        this.consumer = consumer;
        return;
      } catch (e) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.logger.warn({ err: (e as Error).message, retryInMs: delay }, 'cannot follow domain events for the audit trail yet; retrying');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => (clearTimeout(t), resolve());
        });
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.starting;
    await this.consumer?.stop();
    await this.nc?.drain().catch(() => undefined);
  }
}
