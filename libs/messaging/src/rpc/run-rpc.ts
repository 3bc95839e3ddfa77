import type { Logger } from 'pino';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { RpcEnvelope, RpcReply } from '@ecert/contracts';
import { databaseProblem } from '@ecert/database';
import { admissionOf, type Admission } from './request-admission';
import { replyProofData } from '../identity/bus-identity';
import { ServiceMetrics, subjectLabel } from '../metrics/service-metrics';

/**
 * Runs one request/reply handler inside the verified caller's context and turns the outcome into
 * an RpcReply: a ProblemError travels back as its problem; anything else is logged here and
 * answered as an opaque internal error, so no stack trace or secret crosses the bus. A request
 * the verifying deserializer did not admit never reaches `fn`.
 */
export async function runRpc<T>(logger: Logger, envelope: RpcEnvelope<unknown> | undefined, fn: () => Promise<T>): Promise<RpcReply<T>> {
  const admission = admissionOf(envelope?.meta);
  const started = process.hrtime.bigint();
  const reply = await answer(logger, admission, fn);
  count(admission, reply, started);
  return signed(admission, reply);
}

/** Every answer of every service passes here: the one place issuance and lifecycle commands are counted and timed. */
function count(admission: Admission | undefined, reply: RpcReply<unknown>, started: bigint): void {
  if (!admission?.arrival) return;
  const outcome = reply.ok ? 'ok' : !admission.ok ? 'refused' : reply.problem.status >= 500 ? 'server_error' : 'client_error';
  const labels = { subject: subjectLabel(admission.arrival.subject), outcome };
  const metrics = ServiceMetrics.of(admission.arrival.service);
  metrics.rpcRequests.inc(labels);
  metrics.rpcDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
}

/** The responder's proof over the reply, bound to the request it answers (when it had a readable token). */
function signed<T>(admission: Admission | undefined, reply: RpcReply<T>): RpcReply<T> {
  const s = admission?.signing;
  if (!s) return reply;
  return { ...reply, proof: { by: s.identity.principal, sig: s.identity.signBytes(replyProofData(s.requestTokenSignature, s.subject, reply)) } };
}

async function answer<T>(logger: Logger, admission: Admission | undefined, fn: () => Promise<T>): Promise<RpcReply<T>> {
  if (!admission || !admission.ok) {
    const requestId = admission?.requestId ?? 'none';
    const problem =
      admission?.problem ?? new ProblemError(401, ProblemCode.busContextInvalid, '调用上下文无效 (bus context refused)', 'The request was not admitted by the context verifier');
    logger.warn({ requestId, code: problem.code, detail: problem.detail }, 'bus request refused');
    return { ok: false, problem: problem.toProblem(requestId) };
  }
  const c = admission.context;
  const store = { requestId: c.requestId, clientId: c.clientId, actor: c.actor, role: c.role, regions: c.regions, operations: c.operations, caller: c.caller, gatewayToken: c.gatewayToken, upstreamSubject: c.upstreamSubject, origin: c.origin };
  return requestContext.run(store, async () => {
    try {
      return { ok: true, result: await fn() };
    } catch (e) {
      if (e instanceof ProblemError) return { ok: false, problem: e.toProblem(c.requestId) };
      // A pool, lock or statement timeout, or PostgreSQL gone: a clean 503 the caller may retry.
      const db = databaseProblem(e);
      if (db) {
        logger.warn({ err: (e as Error).message, code: db.code }, 'rpc handler hit a database limit');
        return { ok: false, problem: db.toProblem(c.requestId) };
      }
      logger.error({ err: (e as Error).message, stack: (e as Error).stack }, 'unhandled error in rpc handler');
      return {
        ok: false,
        problem: new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', 'The service failed to process the request').toProblem(c.requestId),
      };
    }
  });
}
