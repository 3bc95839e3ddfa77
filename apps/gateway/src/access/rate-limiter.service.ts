import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG } from '../gateway.tokens';

/**
 * Fixed one-second windows per caller in Redis, shared by every gateway instance. If Redis is
 * unreachable the limiter lets requests through (availability over strictness) and health shows it.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: EcertConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
  }

  /** Seconds to wait, or 0 when the request may go ahead. */
  async take(caller: string, perSecond: number): Promise<number> {
    const second = Math.floor(Date.now() / 1000);
    const key = `${this.config.ECERT_REDIS_PREFIX}:rl:${caller}:${second}`;
    try {
      const [[, count]] = (await this.redis.multi().incr(key).expire(key, 2).exec()) as [[null, number], unknown];
      return count > perSecond ? 1 : 0;
    } catch {
      return 0;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
