import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import type { DurableConsumerSpec } from '@ecert/contracts';
import { BusIdentity, connectNats, EventConsumer, natsCredentials, selfProvisioning, type EventConsumerOptions } from '@ecert/messaging';

export interface GatewayEventFollowerOptions {
  /** The durable consumer it reads (durableConsumers().gateway…). */
  spec: DurableConsumerSpec;
  /** Name of its NATS connection. */
  connectionName: string;
  /** What it follows, for the log line while it cannot yet ("the audit trail"). */
  purpose: string;
  handler: EventConsumerOptions['handler'];
  afterCommit?: EventConsumerOptions['afterCommit'];
}

/**
 * One of the gateway's durable event consumers, started in the background and retried with backoff
 * until NATS and the stream are there, so the gateway serves meanwhile. Each consumer has its own
 * connection: draining one (shutdown) must not cut the other's acks.
 */
export class GatewayEventFollower {
  private nc?: NatsConnection;
  private consumer?: EventConsumer;
  private starting?: Promise<void>;
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly config: EcertConfig,
    private readonly ds: DataSource,
    private readonly logger: Logger,
    private readonly options: GatewayEventFollowerOptions,
  ) {}

  start(): void {
    this.starting ??= this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.nc ??= await connectNats(this.config.NATS_URL, this.options.connectionName, natsCredentials(this.config, 'gateway'));
        const consumer = new EventConsumer(this.ds, this.nc, this.logger, {
          ...this.options.spec,
          provision: selfProvisioning(this.config),
          verifier: BusIdentity.fromConfig(this.config, 'gateway'),
          handler: this.options.handler,
          afterCommit: this.options.afterCommit,
        });
        await consumer.start();
        this.consumer = consumer;
        return;
      } catch (e) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.logger.warn({ err: (e as Error).message, retryInMs: delay }, `cannot follow domain events for ${this.options.purpose} yet; retrying`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => (clearTimeout(t), resolve());
        });
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.starting;
    await this.consumer?.stop();
    await this.nc?.drain().catch(() => undefined);
  }
}
