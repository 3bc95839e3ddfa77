import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { EcertConfig } from '@ecert/common';
import { CONFIG } from '@ecert/messaging';

/**
 * The CRL publication point: the newest complete and delta CRL of each CA, as DER, in Redis,
 * where every gateway instance serves them from. A large CRL would not fit in a NATS message
 * (1 MB by default), and relying parties fetch CRLs far more often than they change.
 */
@Injectable()
export class CrlPublisher implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(CONFIG) private readonly config: EcertConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.redis.on('error', () => undefined); // reported by health checks; publishing retries on schedule
  }

  static key(prefix: string, caId: string, delta: boolean): string {
    return `${prefix}:crl:${caId}:${delta ? 'delta' : 'full'}`;
  }

  async publish(caId: string, delta: boolean, der: Uint8Array, nextUpdate: Date): Promise<void> {
    // Kept a day past nextUpdate: a stale CRL is still better than none for a relying party.
    const ttl = Math.max(60, Math.ceil((nextUpdate.getTime() - Date.now()) / 1000) + 86_400);
    await this.redis.set(CrlPublisher.key(this.config.ECERT_REDIS_PREFIX, caId, delta), Buffer.from(der), 'EX', ttl);
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
