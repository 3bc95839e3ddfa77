import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers } from '@ecert/contracts';
import { BusIdentity, connectNats, EventConsumer, natsCredentials, selfProvisioning } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';
import { fanOutWebhooks } from './deliveries/webhook-fan-out';
import { WebhookDispatcher } from './deliveries/webhook-dispatcher.service';
import { MailNotifier } from './mail/mail-notifier.service';

/**
 * The gateway's durable consumer for notifications (`gatewayNotifications`): each event is fanned
 * out to webhook deliveries and handler e-mails in the transaction of its inbox row, then the
 * dispatchers are kicked. Like the audit consumer it starts in the background and retries, so the
 * gateway serves while NATS is not there yet.
 */
@Injectable()
export class NotificationEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private nc?: NatsConnection;
  private consumer?: EventConsumer;
  private starting?: Promise<void>;
  private stopped = false;
  private wake?: () => void;
  private readonly logger: Logger;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) logger: Logger,
    private readonly webhooks: WebhookDispatcher,
    private readonly mail: MailNotifier,
  ) {
    this.logger = logger.child({ component: 'notification-events' });
  }

  onApplicationBootstrap(): void {
    this.webhooks.start();
    this.mail.start();
    this.starting ??= this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const written = new Map<string, string[]>();
        this.nc ??= await connectNats(this.config.NATS_URL, 'gateway-notifications', natsCredentials(this.config, 'gateway'));
        const consumer = new EventConsumer(this.ds, this.nc, this.logger, {
          ...durableConsumers().gatewayNotifications,
          provision: selfProvisioning(this.config),
          verifier: BusIdentity.fromConfig(this.config, 'gateway'),
          handler: async (event, manager) => {
            written.set(event.id, await fanOutWebhooks(manager, event));
            await this.mail.record(manager, event);
          },
          afterCommit: (event) => {
            // Only the subscriptions this event was written for: a pass per event over all of them would not scale.
            const subs = written.get(event.id) ?? [];
            written.delete(event.id);
            this.webhooks.enqueueReady(subs).catch((e) => this.logger.warn({ err: (e as Error).message }, 'webhook deliveries not queued yet (the sweep will)'));
            this.mail.enqueuePending().catch((e) => this.logger.warn({ err: (e as Error).message }, 'e-mails not queued yet (the sweep will)'));
          },
        });
        await consumer.start();
        this.consumer = consumer;
        return;
      } catch (e) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.logger.warn({ err: (e as Error).message, retryInMs: delay }, 'cannot follow domain events for notifications yet; retrying');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => (clearTimeout(t), resolve());
        });
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.starting;
    await this.consumer?.stop();
    await this.nc?.drain().catch(() => undefined);
    await this.webhooks.stop();
    await this.mail.stop();
  }
}
