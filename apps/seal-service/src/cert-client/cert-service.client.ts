import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import { Subjects, type CaView, type CertificateView, type RpcEnvelope, type RpcReply, type SealMakerSignReply } from '@ecert/contracts';
import { CONFIG } from '@ecert/messaging';

const CA_LIST_TTL_MS = 60_000;

/**
 * The seal-service's request/reply line to the cert-service. The caller's request context (request
 * id, client, actor, region scope) travels along, so the cert-service applies the same access
 * rules as if the gateway had asked it; event handlers have no context and ask as the platform.
 */
@Injectable()
export class CertServiceClient implements OnApplicationShutdown {
  private readonly client: ClientProxy;
  private readonly timeoutMs: number;
  private caCache?: { at: number; list: Promise<CaView[]> };

  constructor(@Inject(CONFIG) config: EcertConfig) {
    this.client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: config.NATS_URL.split(','), name: 'seal-service-client', maxReconnectAttempts: -1, reconnectTimeWait: 500 },
    });
    this.timeoutMs = config.NATS_REQUEST_TIMEOUT_MS;
  }

  async call<T>(subject: string, data: unknown): Promise<T> {
    const ctx = requestContext.getStore();
    const envelope: RpcEnvelope<unknown> = {
      meta: { requestId: ctx?.requestId ?? 'seal-service', clientId: ctx?.clientId, actor: ctx?.actor, regions: ctx?.regions },
      data,
    };
    let reply: RpcReply<T>;
    try {
      reply = await firstValueFrom(this.client.send<RpcReply<T>>(subject, envelope).pipe(timeout(this.timeoutMs)));
    } catch (e) {
      const why = e instanceof TimeoutError ? `did not answer within ${this.timeoutMs} ms` : `could not be reached: ${(e as Error).message ?? e}`;
      throw new ProblemError(503, ProblemCode.serviceUnavailable, '服务暂不可用 (service unavailable)', `The cert service ${why}`);
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) {
      throw new ProblemError(502, ProblemCode.internal, '服务应答无效 (bad reply)', 'The cert service sent an unexpected reply');
    }
    if (!reply.ok) throw ProblemError.fromProblem(reply.problem);
    return reply.result;
  }

  getCertificate(serial: string): Promise<CertificateView> {
    return this.call(Subjects.cert.get, { serial });
  }

  /** ecert's CA certificates; cached for a minute (they change only at CA initialisation). */
  caList(): Promise<CaView[]> {
    if (!this.caCache || Date.now() - this.caCache.at > CA_LIST_TTL_MS) {
      const list = this.call<CaView[]>(Subjects.cert.caList, {});
      list.catch(() => (this.caCache = undefined));
      this.caCache = { at: Date.now(), list };
    }
    return this.caCache.list;
  }

  forgetCas(): void {
    this.caCache = undefined;
  }

  sealMakerSign(data: Uint8Array): Promise<SealMakerSignReply> {
    return this.call(Subjects.cert.sealMakerSign, { data: Buffer.from(data).toString('base64') });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
