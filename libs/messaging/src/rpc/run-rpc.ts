import type { Logger } from 'pino';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { RpcEnvelope, RpcReply } from '@ecert/contracts';
import { databaseProblem } from '@ecert/database';

/**
 * Runs one request/reply handler inside the caller's request context and turns the outcome into
 * an RpcReply: a ProblemError travels back as its problem; anything else is logged here and
 * answered as an opaque internal error, so no stack trace or secret crosses the bus.
 */
export async function runRpc<T>(logger: Logger, envelope: RpcEnvelope<unknown> | undefined, fn: () => Promise<T>): Promise<RpcReply<T>> {
  const meta = envelope?.meta ?? { requestId: 'none' };
  return requestContext.run({ requestId: meta.requestId, clientId: meta.clientId, actor: meta.actor, regions: meta.regions }, async () => {
    try {
      return { ok: true, result: await fn() };
    } catch (e) {
      if (e instanceof ProblemError) return { ok: false, problem: e.toProblem(meta.requestId) };
      // A pool, lock or statement timeout, or PostgreSQL gone: a clean 503 the caller may retry.
      const db = databaseProblem(e);
      if (db) {
        logger.warn({ err: (e as Error).message, code: db.code }, 'rpc handler hit a database limit');
        return { ok: false, problem: db.toProblem(meta.requestId) };
      }
      logger.error({ err: (e as Error).message, stack: (e as Error).stack }, 'unhandled error in rpc handler');
      return {
        ok: false,
        problem: new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', 'The service failed to process the request').toProblem(meta.requestId),
      };
    }
  });
}
