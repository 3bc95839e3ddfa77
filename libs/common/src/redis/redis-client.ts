import { Redis } from 'ioredis';
import type { EcertConfig } from '../config/ecert-config';
import { ProblemCode } from '../problem/problem-codes';
import { ProblemError } from '../problem/problem';

/**
 * The one way ecert connects to Redis. Every command has a deadline (REDIS_COMMAND_TIMEOUT_MS)
 * and is retried at most once across a reconnect, so a stopped Redis is a quick, clean error
 * and never a request that waits for it to come back.
 */
export function createRedisClient(config: EcertConfig, name: string): Redis {
  const redis = new Redis(config.REDIS_URL, {
    connectionName: `ecert-${name}`,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: Math.max(config.REDIS_COMMAND_TIMEOUT_MS, 1000),
    maxRetriesPerRequest: 1,
    // Reconnect quickly but forever: Redis coming back must heal the service by itself.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Connection errors surface through the commands (and health); an unhandled 'error' would crash.
  redis.on('error', () => undefined);
  return redis;
}

const REDIS_FAILURE = /Command timed out|Connection is closed|MaxRetriesPerRequest|Reached the max retries|enableOfflineQueue|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|LOADING|READONLY/i;

/** A Redis failure as the problem a caller sees (503, retry later); undefined if it is not one. */
export function redisProblem(e: unknown): ProblemError | undefined {
  if (!(e instanceof Error)) return undefined;
  if (e.name !== 'MaxRetriesPerRequestError' && !REDIS_FAILURE.test(e.message)) return undefined;
  return new ProblemError(503, ProblemCode.storeUnavailable, '缓存服务不可用 (Redis unavailable)', 'Redis did not answer in time; retry later', undefined, { retryAfter: 2 });
}
