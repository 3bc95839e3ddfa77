import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from '../gateway.tokens';

/**
 * Fixed one-second windows per caller in Redis, shared by every gateway instance. If Redis is
 * unreachable the limiter lets requests through (availability over strictness) and health shows it.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
  ) {}

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
}
