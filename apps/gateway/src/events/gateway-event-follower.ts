import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import type { DurableConsumerSpec } from '@ecert/contracts';
import { BusIdentity, connectNats, EventConsumer, natsCredentials, consumerProvisioning, type EventConsumerOptions } from '@ecert/messaging';

export interface GatewayEventFollowerOptions {
  /**
   * The durable consumers it reads, one per lane (durableConsumers().gateway… and its …Bulk twin):
   * the same handler and inbox for each; the lanes are not ordered with each other.
   */
  specs: readonly DurableConsumerSpec[];
  /** Name of its NATS connection. */
  connectionName: string;
  /** What it follows, for the log line while it cannot yet ("the audit trail"). */
  purpose: string;
  handler: EventConsumerOptions['handler'];
  batchHandler?: EventConsumerOptions['batchHandler'];
  afterCommit?: EventConsumerOptions['afterCommit'];
}

/**
 * One of the gateway's durable event consumers, started in the background and retried with backoff
 * until NATS and the stream are there, so the gateway serves meanwhile. Each follower has its own
 * connection (its lanes share it): draining one (shutdown) must not cut the other's acks.
 */
export class GatewayEventFollower {
  private nc?: NatsConnection;
  private consumers: EventConsumer[] = [];
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
        const verifier = BusIdentity.fromConfig(this.config, 'gateway');
        // A lane already started stays started when a later one fails: the retry starts the rest.
        for (const spec of this.options.specs.slice(this.consumers.length)) {
          const consumer = new EventConsumer(this.ds, this.nc, this.logger, {
            ...spec,
            ...consumerProvisioning(this.config),
            verifier,
            handler: this.options.handler,
            batchHandler: this.options.batchHandler,
            afterCommit: this.options.afterCommit,
          });
          await consumer.start();
          this.consumers.push(consumer);
        }
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
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.nc?.drain().catch(() => undefined);
  }
}
