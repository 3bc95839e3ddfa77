import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedisClient, type EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from '../gateway.tokens';

/** One Redis connection for the whole gateway (challenges, rate limits, idempotency, CRLs, health). */
export const gatewayRedisProvider: Provider = {
  provide: GATEWAY_REDIS,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: EcertConfig) => createRedisClient(config, 'gateway'),
};

@Injectable()
export class GatewayRedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(GATEWAY_REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
