import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { NATIONAL_SCOPE, ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import { subjectResponder, type BusContextClaims, type RpcEnvelope, type RpcReply } from '@ecert/contracts';
import { bodyDigest, replyProofData, tokenSignature, type BusIdentity } from '../identity/bus-identity';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, natsCredentials, natsServers } from '../nats/nats-connection';

/**
 * A call that got no reply, as the caller's problem. No instance listening (NATS's "no
 * responders") means nothing was done: service_unavailable. A timeout means the service may have
 * done it: service_timeout, so a client retries a command with the same Idempotency-Key. Neither
 * carries the transport's message (it names the internal subject).
 */
function unanswered(e: unknown, service: string, waitMs: number): ProblemError {
  if (e instanceof TimeoutError) {
    return new ProblemError(503, ProblemCode.serviceTimeout, '服务响应超时 (service timeout)', `The ${service} service did not answer within ${waitMs} ms; the request may or may not have been carried out`, undefined, { retryAfter: 1 });
  }
  const noResponders = /no subscribers|no responders/i.test(String((e as Error)?.message ?? e));
  return new ProblemError(503, ProblemCode.serviceUnavailable, '服务暂不可用 (service unavailable)', noResponders ? `The ${service} service is not running; nothing was done` : `The ${service} service could not be reached`, undefined, { retryAfter: 1 });
}

/**
 * The one way any process sends a request over the bus. Every call has a deadline (a dead or
 * missing service is a 503 within NATS_REQUEST_TIMEOUT_MS, never a hang) and a context token
 * signed by this process: the gateway states the acting client or staff member, their operations
 * and region scope; a service states itself, forwarding the gateway's token when it acts inside
 * a gateway request.
 */
export class BusRpcClient {
  private readonly client: ClientProxy;
  private readonly timeoutMs: number;
  /** A plain connection for scatter-gather requests (the Nest client takes one reply per request). */
  private gatherConnection?: Promise<NatsConnection>;

  constructor(
    private readonly config: EcertConfig,
    private readonly identity: BusIdentity,
    private readonly name: string,
  ) {
    this.client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: natsServers(config.NATS_URL), name, maxReconnectAttempts: -1, reconnectTimeWait: 500, ...natsCredentials(config, identity.principal) },
    });
    this.timeoutMs = config.NATS_REQUEST_TIMEOUT_MS;
  }

  /** The context token for a call made now, from the current request context, bound to this subject and body. */
  contextToken(subject: string, data: unknown, ttlSeconds: number): string {
    const ctx = requestContext.getStore();
    const rid = ctx?.requestId ?? `${this.identity.principal}-${Date.now().toString(36)}`;
    const bound: Pick<BusContextClaims, 'rid' | 'sub' | 'bdy'> = { rid, sub: subject, bdy: bodyDigest(data) };
    if (this.identity.principal === 'gateway') {
      return this.identity.issueContext(
        { ...bound, cid: ctx?.clientId, act: ctx?.actor, role: ctx?.role, ops: [...(ctx?.operations ?? [])], reg: [...(ctx?.regions ?? [])] },
        ttlSeconds,
      );
    }
    // A service on its own errand (an event) acts nationally, limited by what the bus lets it ask.
    return this.identity.issueContext({ ...bound, act: this.identity.principal, ops: [], reg: [NATIONAL_SCOPE], ...(ctx?.gatewayToken ? { up: ctx.gatewayToken } : {}) }, ttlSeconds);
  }

  async call<T>(subject: string, data: unknown, opts: { timeoutMs?: number; service?: string } = {}): Promise<T> {
    const wait = opts.timeoutMs ?? this.timeoutMs;
    const service = opts.service ?? subject.split('.')[2] ?? 'service';
    const envelope: RpcEnvelope<unknown> = {
      meta: { requestId: requestContext.getStore()?.requestId ?? 'none', context: this.contextToken(subject, data, Math.ceil(wait / 1000) + 5) },
      data,
    };
    let reply: RpcReply<T>;
    try {
      reply = await firstValueFrom(this.client.send<RpcReply<T>>(subject, envelope).pipe(timeout(wait)));
    } catch (e) {
      throw unanswered(e, service, wait);
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) {
      throw new ProblemError(502, ProblemCode.internal, '服务应答无效 (bad reply)', `The ${service} service sent an unexpected reply`);
    }
    return this.verified(subject, envelope.meta.context as string, reply);
  }

  /**
   * Scatter-gather: a request to a subject every instance of a service subscribes to outside any
   * queue group, and every reply that arrives within `windowMs`, each checked as `call` checks its
   * one. A reply not signed by the subject's service is dropped (and does not count as an answer);
   * a refusal from a genuine instance is thrown, as `call` would.
   */
  async gather<T>(subject: string, data: unknown, opts: { windowMs: number; maxReplies?: number }): Promise<T[]> {
    const context = this.contextToken(subject, data, Math.ceil(opts.windowMs / 1000) + 5);
    const envelope: RpcEnvelope<unknown> = { meta: { requestId: requestContext.getStore()?.requestId ?? 'none', context }, data };
    this.gatherConnection ??= connectNats(this.config.NATS_URL, `${this.name}-gather`, natsCredentials(this.config, this.identity.principal));
    const nc = await this.gatherConnection.catch((e) => {
      this.gatherConnection = undefined;
      throw e;
    });
    const out: T[] = [];
    let refusal: ProblemError | undefined;
    try {
      const replies = await nc.requestMany(subject, JSON.stringify(envelope), { strategy: 'timer', maxWait: opts.windowMs, maxMessages: opts.maxReplies ?? 256 });
      for await (const msg of replies) {
        try {
          out.push(this.verified<T>(subject, context, msg.json<RpcReply<T>>()));
        } catch (e) {
          if (e instanceof ProblemError && e.code !== ProblemCode.busReplyForged && e.code !== ProblemCode.internal) refusal ??= e;
        }
      }
    } catch (e) {
      // No instance subscribed (NATS's "no responders") is an empty answer, not an error.
      if (!/no responders|503/i.test(String((e as Error).message))) throw e;
    }
    if (out.length === 0 && refusal) throw refusal;
    return out;
  }

  private verified<T>(subject: string, token: string, reply: RpcReply<T>): T {
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) {
      throw new ProblemError(502, ProblemCode.internal, '服务应答无效 (bad reply)', `The reply on ${subject} is not a reply`);
    }
    // Only the service that owns the subject can have answered, yes or no (a process answering in
    // its queue group cannot: a forged "not found" could end a renewal as surely as a forged "ok").
    const { proof, ...core } = reply;
    const responder = subjectResponder(subject);
    if (!proof || proof.by !== responder || !this.identity.verifyBytes(proof.by, replyProofData(tokenSignature(token), subject, core), proof.sig)) {
      throw new ProblemError(502, ProblemCode.busReplyForged, '服务应答无效 (reply not signed by its service)', `The reply on ${subject} is not signed by ${responder}`);
    }
    if (!reply.ok) throw ProblemError.fromProblem(reply.problem);
    return reply.result;
  }

  async close(): Promise<void> {
    await this.client.close();
    const nc = this.gatherConnection;
    this.gatherConnection = undefined;
    if (nc) await (await nc.catch(() => undefined))?.close().catch(() => undefined);
  }
}
