import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { NATIONAL_SCOPE, ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import { subjectResponder, type BusContextClaims, type RpcEnvelope, type RpcReply } from '@ecert/contracts';
import { bodyDigest, replyProofData, tokenSignature, type BusIdentity } from '../identity/bus-identity';
import { natsCredentials } from '../nats/nats-connection';

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

  constructor(
    config: EcertConfig,
    private readonly identity: BusIdentity,
    name: string,
  ) {
    this.client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: config.NATS_URL.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 500, ...natsCredentials(config, identity.principal) },
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
      const why = e instanceof TimeoutError ? `did not answer within ${wait} ms` : `could not be reached: ${(e as Error).message ?? e}`;
      throw new ProblemError(503, ProblemCode.serviceUnavailable, '服务暂不可用 (service unavailable)', `The ${service} service ${why}`);
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) {
      throw new ProblemError(502, ProblemCode.internal, '服务应答无效 (bad reply)', `The ${service} service sent an unexpected reply`);
    }
    // Only the service that owns the subject can have answered, yes or no (a process answering in
    // its queue group cannot: a forged "not found" could end a renewal as surely as a forged "ok").
    const { proof, ...core } = reply;
    const responder = subjectResponder(subject);
    const token = envelope.meta.context as string;
    if (!proof || proof.by !== responder || !this.identity.verifyBytes(proof.by, replyProofData(tokenSignature(token), subject, core), proof.sig)) {
      throw new ProblemError(502, ProblemCode.busReplyForged, '服务应答无效 (reply not signed by its service)', `The reply on ${subject} is not signed by ${responder}`);
    }
    if (!reply.ok) throw ProblemError.fromProblem(reply.problem);
    return reply.result;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
