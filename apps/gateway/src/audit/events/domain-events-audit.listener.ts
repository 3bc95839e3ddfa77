import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers } from '@ecert/contracts';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../../gateway.tokens';
import { GatewayEventFollower } from '../../events/gateway-event-follower';
import { AuditTrail } from '../audit-trail.service';
import { eventAuditEntry } from './event-audit-entry';

/** Durable consumer name of the gateway's audit of every domain event (also the inbox key of both its lanes). */
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
  private readonly follower: GatewayEventFollower;

  constructor(
    @Inject(GATEWAY_CONFIG) config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) ds: DataSource,
    @Inject(GATEWAY_LOGGER) logger: Logger,
    private readonly audit: AuditTrail,
  ) {
    this.follower = new GatewayEventFollower(config, ds, logger.child({ component: 'audit-events' }), {
      // Every event, the bulk lane's (第二十条 invalidations) through a consumer of its own.
      specs: [durableConsumers().gatewayAudit, durableConsumers().gatewayAuditBulk],
      connectionName: 'gateway-audit-events',
      purpose: 'the audit trail',
      handler: async (event, manager) => {
        await this.audit.appendInTransaction(manager, [eventAuditEntry(event)]);
      },
      // A burst's events chained under one lock, one head read and one insert.
      batchHandler: async (events, manager) => {
        await this.audit.appendInTransaction(manager, events.map(eventAuditEntry));
      },
    });
  }

  start(): void {
    this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }
}
