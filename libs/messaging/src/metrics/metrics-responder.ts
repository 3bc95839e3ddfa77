import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import type { InstanceMetrics, RpcEnvelope } from '@ecert/contracts';
import type { BusIdentity } from '../identity/bus-identity';
import { admitRequest, recordAdmission } from '../rpc/request-admission';
import { runRpc } from '../rpc/run-rpc';
import { BUS_IDENTITY, CONFIG, LOGGER, NATS_CONNECTION } from '../nest/service-tokens';
import { instanceId } from './instance-id';
import { ServiceMetrics } from './service-metrics';

/**
 * Every instance of a service answers the gateway's metrics request: the subscription is in no
 * queue group (a request/reply handler's is, so one random replica would answer for all). The
 * gateway collects the replies for a short window (scatter-gather) and labels each with its
 * `instance`. The request passes the same context check as any other and the reply is signed.
 */
export class MetricsResponder {
  private sub?: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly identity: BusIdentity,
    private readonly logger: Logger,
    private readonly service: string,
    private readonly subject: string,
    readonly instance: string,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.subject, { callback: (err, msg) => (err ? this.logger.warn({ err: err.message }, 'metrics subscription error') : void this.answer(msg)) });
  }

  private async answer(msg: Msg): Promise<void> {
    let envelope: RpcEnvelope<unknown> | undefined;
    try {
      envelope = msg.json<RpcEnvelope<unknown>>();
    } catch {
      envelope = undefined;
    }
    // Checked on the subject NATS delivered it on, exactly as the verifying deserializer does.
    const admission = admitRequest(this.identity, msg.subject, envelope);
    const meta = { requestId: admission.ok ? admission.context.requestId : admission.requestId };
    recordAdmission(meta, admission);
    const reply = await runRpc<InstanceMetrics>(this.logger, { meta, data: envelope && typeof envelope === 'object' ? envelope.data : undefined }, async () => ({
      instance: this.instance,
      snapshot: await ServiceMetrics.of(this.service).snapshot(),
    }));
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  async stop(): Promise<void> {
    const s = this.sub;
    this.sub = undefined;
    if (s && !s.isClosed()) await s.drain().catch(() => undefined);
  }
}

/** The responder as a provider of a service's module (on its events connection). */
export function serviceMetricsResponder(service: string, subject: string): Type<unknown> {
  @Injectable()
  class ServiceMetricsResponder implements OnApplicationBootstrap, OnApplicationShutdown {
    private readonly responder: MetricsResponder;

    constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, @Inject(BUS_IDENTITY) identity: BusIdentity, @Inject(LOGGER) logger: Logger, @Inject(CONFIG) config: EcertConfig) {
      this.responder = new MetricsResponder(nc, identity, logger, service, subject, instanceId(config));
    }

    onApplicationBootstrap(): void {
      this.responder.start();
    }

    async onApplicationShutdown(): Promise<void> {
      await this.responder.stop();
    }
  }
  return ServiceMetricsResponder;
}
