import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { Redis } from 'ioredis';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG } from '../gateway.tokens';

type UpDown = 'up' | 'down';

/** The gateway's own look at PostgreSQL, NATS and Redis, independent of any service. */
@Injectable()
export class BackingStoresProbe implements OnApplicationShutdown {
  private redis?: Redis;
  private nc?: NatsConnection;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: EcertConfig) {}

  async probe(): Promise<Record<'postgres' | 'nats' | 'redis', UpDown>> {
    const [postgres, nats, redis] = await Promise.all([this.pg(), this.nats(), this.redisPing()]);
    return { postgres, nats, redis };
  }

  private async pg(): Promise<UpDown> {
    const c = new pg.Client({ connectionString: this.config.DATABASE_URL, connectionTimeoutMillis: 1500 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return 'up';
    } catch {
      return 'down';
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private async nats(): Promise<UpDown> {
    try {
      if (!this.nc || this.nc.isClosed()) {
        this.nc = await connect({ servers: this.config.NATS_URL.split(','), timeout: 1500, maxReconnectAttempts: -1, name: 'gateway-health' });
      }
      await Promise.race([this.nc.flush(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1500))]);
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async redisPing(): Promise<UpDown> {
    try {
      this.redis ??= new Redis(this.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1500, enableOfflineQueue: false });
      if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
      return (await this.redis.ping()) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
    await this.nc?.close().catch(() => undefined);
  }
}
