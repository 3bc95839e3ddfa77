import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import type { RpcEnvelope, RpcReply } from '@ecert/contracts';
import { GATEWAY_CONFIG } from '../gateway.tokens';

/**
 * The gateway's only way to reach a service. Every call has a deadline: a dead or missing
 * service becomes a 503 problem within NATS_REQUEST_TIMEOUT_MS instead of a hanging request.
 */
@Injectable()
export class RpcClient implements OnApplicationShutdown {
  private readonly client: ClientProxy;
  private readonly timeoutMs: number;

  constructor(@Inject(GATEWAY_CONFIG) config: EcertConfig) {
    this.client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: config.NATS_URL.split(','), name: 'gateway', maxReconnectAttempts: -1, reconnectTimeWait: 500 },
    });
    this.timeoutMs = config.NATS_REQUEST_TIMEOUT_MS;
  }

  async call<T>(subject: string, data: unknown, opts: { timeoutMs?: number; service?: string } = {}): Promise<T> {
    const ctx = requestContext.getStore();
    const envelope: RpcEnvelope<unknown> = { meta: { requestId: ctx?.requestId ?? 'none', clientId: ctx?.clientId, actor: ctx?.actor, regions: ctx?.regions }, data };
    const service = opts.service ?? subject.split('.')[2] ?? 'service';
    let reply: RpcReply<T>;
    try {
      reply = await firstValueFrom(this.client.send<RpcReply<T>>(subject, envelope).pipe(timeout(opts.timeoutMs ?? this.timeoutMs)));
    } catch (e) {
      if (e instanceof TimeoutError) {
        throw new ProblemError(503, ProblemCode.serviceUnavailable, '服务暂不可用 (service unavailable)', `The ${service} service did not answer within ${opts.timeoutMs ?? this.timeoutMs} ms`);
      }
      throw new ProblemError(503, ProblemCode.serviceUnavailable, '服务暂不可用 (service unavailable)', `The ${service} service could not be reached: ${(e as Error).message ?? e}`);
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) {
      throw new ProblemError(502, ProblemCode.internal, '服务应答无效 (bad reply)', `The ${service} service sent an unexpected reply`);
    }
    if (!reply.ok) throw ProblemError.fromProblem(reply.problem);
    return reply.result;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
