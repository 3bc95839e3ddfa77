import { createParamDecorator, SetMetadata, applyDecorators, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const FORWARDS_IDEMPOTENCY_KEY = 'ecert:forwards-idempotency-key';

/**
 * The route hands the caller's `Idempotency-Key` on to the service as the command's
 * `idempotencyKey`, which the service keeps in its own database with the change (command
 * receipts). The key then outlives Redis, and a retry after a 5xx may run again: the service
 * answers it with the first run's result instead of a second change.
 */
export const ForwardsIdempotencyKey = () => applyDecorators(SetMetadata(FORWARDS_IDEMPOTENCY_KEY, true));

/** The request's Idempotency-Key (already checked by the IdempotencyInterceptor), for the command. */
export const IdempotencyKeyHeader = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<Request>().header('idempotency-key'));

/** The command with the caller's key, or unchanged without one. */
export function withIdempotencyKey<T extends object>(command: T, key: string | undefined): T & { idempotencyKey?: string } {
  return key === undefined ? command : { ...command, idempotencyKey: key };
}
