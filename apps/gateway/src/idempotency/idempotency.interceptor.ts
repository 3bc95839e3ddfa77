import { createHash } from 'node:crypto';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SECRET_ANSWER } from './secret-answer.decorator';
import { FORWARDS_IDEMPOTENCY_KEY } from './forwarded-idempotency-key.decorator';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Redis } from 'ioredis';
import { canonicalJson, ProblemCode, ProblemError, type EcertConfig } from '@ecert/common';
import { IDEMPOTENCY_KEY_PATTERN } from '@ecert/contracts';
import type { AuthenticatedRequest } from '../access/access.guard';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from '../gateway.tokens';

const TTL_SECONDS = 24 * 3600;
const PENDING_TTL_SECONDS = 60;
const UNKNOWN_OUTCOME_TTL_SECONDS = 600;

interface Stored {
  state: 'pending' | 'done';
  requestHash: string;
  body?: unknown;
}

/**
 * `Idempotency-Key` on a POST: the first request with a key runs; a retry with the same key and the
 * same body gets the first result again instead of issuing a second certificate; the same key with
 * another body is refused (422), and a retry while the first is still running gets 409. Keys are
 * per caller and kept 24 h. Refused requests (4xx) are forgotten so they can be retried; after a 5xx
 * the outcome is unknown and the key stays claimed for 10 minutes (retries get 409), except on routes
 * that forward the key to a service keeping it with the change (@ForwardsIdempotencyKey): there the
 * retry runs again and the service answers it with the first run's result.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = req.header('idempotency-key');
    if (req.method !== 'POST' || key === undefined || !req.principal) return next.handle();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'Idempotency-Key', 'Idempotency-Key must be 8-128 letters, digits or . _ : -');
    }
    // A secret answer (an SO PIN) is never stored in Redis for a replay.
    if (this.reflector.getAllAndOverride<boolean>(SECRET_ANSWER, [context.getHandler(), context.getClass()])) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'Idempotency-Key', 'Idempotency-Key is not accepted here: the answer carries a secret that is never stored for a replay');
    }
    // The key's hash covers the parsed JSON body; an upload streamed past the parser would replay the
    // first answer for another file. Uploads are idempotent by content (same bytes, same SHA-256) anyway.
    const type = String(req.headers['content-type'] ?? '');
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !/^application\/json\b/i.test(type)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'Idempotency-Key', 'Idempotency-Key is accepted with JSON bodies only; an upload is idempotent by its content (the same file twice changes nothing)');
    }
    const caller = req.principal.kind === 'client' ? `c:${req.principal.clientId}` : `s:${req.principal.staffId}`;
    const redisKey = `${this.config.ECERT_REDIS_PREFIX}:idem:${caller}:${key}`;
    const requestHash = createHash('sha256').update(`${req.method} ${req.originalUrl}\n${canonicalJson(req.body ?? null)}`).digest('hex');
    const forwarded = this.reflector.getAllAndOverride<boolean>(FORWARDS_IDEMPOTENCY_KEY, [context.getHandler(), context.getClass()]) === true;
    return from(this.run(redisKey, requestHash, forwarded, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }

  private async run(redisKey: string, requestHash: string, forwarded: boolean, handle: () => Promise<unknown>): Promise<unknown> {
    const pending: Stored = { state: 'pending', requestHash };
    const claimed = await this.redis.set(redisKey, JSON.stringify(pending), 'EX', PENDING_TTL_SECONDS, 'NX');
    if (!claimed) {
      const existing = JSON.parse((await this.redis.get(redisKey)) ?? 'null') as Stored | null;
      if (existing && existing.requestHash !== requestHash) {
        throw new ProblemError(422, ProblemCode.idempotencyKeyReused, '幂等键已用于其他请求 (idempotency key reused)', 'This Idempotency-Key was used with a different request', 'Idempotency-Key');
      }
      if (existing?.state === 'done') return existing.body;
      throw ProblemError.conflict(ProblemCode.concurrentModification, 'A request with this Idempotency-Key is still being processed; retry later');
    }
    let body: unknown;
    try {
      body = await handle();
    } catch (e) {
      if ((e instanceof ProblemError && e.status < 500) || forwarded) {
        // Refused, nothing happened: the caller may fix and retry. Or the service holds the key
        // with the change: a retry runs again and gets the first result if there was one.
        await this.redis.del(redisKey).catch(() => undefined);
      } else {
        // Unknown outcome (a timeout may still complete in the service): a retry must not run it
        // again, so the key stays claimed for a while and retries get 409.
        await this.redis.expire(redisKey, UNKNOWN_OUTCOME_TTL_SECONDS).catch(() => undefined);
      }
      throw e;
    }
    // The change is made: a Redis that fails now must not turn it into a 503 (the caller would
    // retry into a second change once the key is gone); it only costs the replay of this answer.
    const done: Stored = { state: 'done', requestHash, body };
    await this.redis.set(redisKey, JSON.stringify(done), 'EX', TTL_SECONDS).catch(() => undefined);
    return body;
  }
}
