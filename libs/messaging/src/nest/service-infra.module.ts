import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import type { BusPrincipal } from '@ecert/contracts';
import { createServiceDataSource, databaseLimits, DatabaseHealthProbe, prepareServiceDatabase } from '@ecert/database';
import { connectNats, ensureEventsStream, natsCredentials, selfProvisioning } from '../nats/nats-connection';
import { BusIdentity } from '../identity/bus-identity';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { InboxRecord } from '../inbox/inbox-record.entity';
import { registerOutboxLagMetrics } from '../metrics/outbox-lag.metrics';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, DATABASE_HEALTH, LOGGER, NATS_CONNECTION, OUTBOX_RELAY } from './service-tokens';

const OUTBOX_LAG_METRICS = Symbol('ECERT_OUTBOX_LAG_METRICS');

export interface ServiceInfraOptions {
  service: BusPrincipal;
  schema: string;
  config: EcertConfig;
  logger: Logger;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /** The service's outbox has the bulk lane (a `lane` column, see OutboxRelayOptions.lanes). */
  outboxLanes?: { bulkMin: number };
}

class ServiceInfraLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATABASE_HEALTH) private readonly databaseHealth: DatabaseHealthProbe,
  ) {}

  async onModuleInit(): Promise<void> {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.nc.drain().catch(() => undefined);
    await this.databaseHealth.close();
    if (this.ds.isInitialized) await this.ds.destroy();
    this.logger.info('infrastructure closed');
  }
}

/**
 * What every service needs before its own modules start: validated config, a JSON logger, its
 * own schema migrated, a NATS connection with the events stream, and the outbox relay.
 */
@Global()
@Module({})
export class ServiceInfraModule {
  static forService(opts: ServiceInfraOptions): DynamicModule {
    return {
      module: ServiceInfraModule,
      providers: [
        { provide: CONFIG, useValue: opts.config },
        { provide: LOGGER, useValue: opts.logger },
        {
          provide: DATA_SOURCE,
          useFactory: async () => {
            const ds = createServiceDataSource({
              url: opts.config.DATABASE_URL,
              schema: opts.schema,
              entities: [OutboxMessage, InboxRecord, ...(opts.entities as never[])],
              migrations: opts.migrations,
              limits: databaseLimits(opts.config),
            });
            await prepareServiceDatabase(ds, opts.schema);
            return ds;
          },
        },
        {
          provide: OUTBOX_LAG_METRICS,
          inject: [DATA_SOURCE],
          // Scraped gauges read through this data source; nothing injects the token, Nest builds it eagerly.
          useFactory: (ds: DataSource) => (registerOutboxLagMetrics(opts.service, opts.schema, ds), true),
        },
        { provide: BUS_IDENTITY, useFactory: () => BusIdentity.fromConfig(opts.config, opts.service) },
        { provide: DATABASE_HEALTH, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new DatabaseHealthProbe(ds) },
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const nc = await connectNats(opts.config.NATS_URL, `${opts.service}-events`, natsCredentials(opts.config, opts.service));
            if (selfProvisioning(opts.config)) await ensureEventsStream(nc, opts.config.NATS_REPLICAS);
            return nc;
          },
        },
        {
          provide: OUTBOX_RELAY,
          inject: [DATA_SOURCE, NATS_CONNECTION, BUS_IDENTITY],
          useFactory: (ds: DataSource, nc: NatsConnection, identity: BusIdentity) => new OutboxRelay(ds, nc, opts.logger.child({ component: 'outbox-relay' }), identity, opts.outboxLanes ? { lanes: opts.outboxLanes } : {}),
        },
        ServiceInfraLifecycle,
      ],
      exports: [CONFIG, LOGGER, DATA_SOURCE, DATABASE_HEALTH, BUS_IDENTITY, NATS_CONNECTION, OUTBOX_RELAY],
    };
  }
}
