import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EcertConfig } from '@ecert/common';
import type { HealthCheckStatus } from '@ecert/contracts';
import { DatabaseHealthProbe, type DatabaseHealth } from '@ecert/database';
import { natsCredentials, natsServers } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_REDIS } from '../gateway.tokens';

const PROBE_TIMEOUT_MS = 1500;

/**
 * The gateway's own look at PostgreSQL, NATS and Redis, independent of any service. It reuses
 * long-lived connections (no new connection per anonymous health call).
 */
@Injectable()
export class BackingStoresProbe implements OnApplicationShutdown {
  private nc?: NatsConnection;
  private readonly database: DatabaseHealthProbe;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) ds: DataSource,
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
  ) {
    this.database = new DatabaseHealthProbe(ds);
  }

  async probe(): Promise<{ stores: Record<'postgres' | 'nats' | 'redis', HealthCheckStatus>; postgresPool: DatabaseHealth['pool'] }> {
    const [db, nats, redis] = await Promise.all([this.database.check(), this.nats(), this.redisPing()]);
    return { stores: { postgres: db.status, nats, redis }, postgresPool: db.pool };
  }

  private async nats(): Promise<HealthCheckStatus> {
    try {
      if (!this.nc || this.nc.isClosed()) {
        this.nc = await connect({ servers: natsServers(this.config.NATS_URL), timeout: PROBE_TIMEOUT_MS, maxReconnectAttempts: -1, name: 'gateway-health', ...natsCredentials(this.config, 'gateway') });
      }
      await withTimeout(this.nc.flush());
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async redisPing(): Promise<HealthCheckStatus> {
    try {
      return (await withTimeout(this.redis.ping())) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
    await this.nc?.close().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error('timeout')), PROBE_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}
