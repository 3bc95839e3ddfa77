import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedisClient, type EcertConfig } from '@ecert/common';
import { CONFIG } from '@ecert/messaging';

/**
 * The CRL publication point: the newest complete and delta CRL of each CA, as DER, in Redis,
 * where every gateway instance serves them from. A large CRL would not fit in a NATS message
 * (1 MB by default), and relying parties fetch CRLs far more often than they change.
 */
// KEYS: der key, number key. ARGV: der, CRL number (decimal), ttl seconds. Numbers compare by
// length then text, so they never pass through Lua's floating point.
const PUBLISH_IF_NEWER = `
local current = redis.call('GET', KEYS[2])
local n = ARGV[2]
if current and (#current > #n or (#current == #n and current > n)) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], n, 'EX', ARGV[3])
return 1`;

@Injectable()
export class CrlPublisher implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(CONFIG) private readonly config: EcertConfig) {
    // Failures are reported by health checks; publishing retries on schedule.
    this.redis = createRedisClient(config, 'cert-service');
  }

  static key(prefix: string, caId: string, delta: boolean): string {
    return `${prefix}:crl:${caId}:${delta ? 'delta' : 'full'}`;
  }

  /**
   * Publishes unless a CRL with a higher number is already there: publishers (several instances,
   * the scheduler, republish requests) are not ordered, and an older CRL must never replace a newer
   * one — it would un-revoke certificates for relying parties.
   */
  async publish(caId: string, delta: boolean, der: Uint8Array, nextUpdate: Date, crlNumber: bigint | string): Promise<void> {
    // Kept a day past nextUpdate: a stale CRL is still better than none for a relying party.
    const ttl = Math.max(60, Math.ceil((nextUpdate.getTime() - Date.now()) / 1000) + 86_400);
    const key = CrlPublisher.key(this.config.ECERT_REDIS_PREFIX, caId, delta);
    await this.redis.eval(PUBLISH_IF_NEWER, 2, key, `${key}:number`, Buffer.from(der), String(crlNumber), String(ttl));
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
