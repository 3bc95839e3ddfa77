import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { durableConsumers } from '@ecert/contracts';
import { GatewayEventFollower } from '../events/gateway-event-follower';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../gateway.tokens';
import { fanOutWebhooks, type WebhookSubscriptionCache } from './deliveries/webhook-fan-out';
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
  private readonly follower: GatewayEventFollower;

  constructor(
    @Inject(GATEWAY_CONFIG) config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) ds: DataSource,
    @Inject(GATEWAY_LOGGER) logger: Logger,
    private readonly webhooks: WebhookDispatcher,
    private readonly mail: MailNotifier,
  ) {
    const log = logger.child({ component: 'notification-events' });
    // The subscriptions each event was written for, from its transaction to the kick after commit.
    const written = new Map<string, string[]>();
    const ready = new Set<string>();
    let kickScheduled = false;
    this.follower = new GatewayEventFollower(config, ds, log, {
      // A webhook of the invalid list (certificate.invalidated) comes through the bulk lane's consumer.
      specs: [durableConsumers().gatewayNotifications, durableConsumers().gatewayNotificationsBulk],
      connectionName: 'gateway-notifications',
      purpose: 'notifications',
      handler: async (event, manager) => {
        written.set(event.id, await fanOutWebhooks(manager, event));
        await this.mail.record(manager, event);
      },
      batchHandler: async (events, manager) => {
        const subscriptions: WebhookSubscriptionCache = new Map();
        for (const event of events) {
          written.set(event.id, await fanOutWebhooks(manager, event, subscriptions));
          await this.mail.record(manager, event);
        }
      },
      afterCommit: (event) => {
        // Only the subscriptions this event was written for: a pass per event over all of them would not scale.
        for (const s of written.get(event.id) ?? []) ready.add(s);
        written.delete(event.id);
        // One kick for all the events of a batch (their afterCommit calls run back to back).
        if (kickScheduled) return;
        kickScheduled = true;
        setImmediate(() => {
          kickScheduled = false;
          const subs = [...ready];
          ready.clear();
          this.webhooks.enqueueReady(subs).catch((e) => log.warn({ err: (e as Error).message }, 'webhook deliveries not queued yet (the sweep will)'));
          this.mail.enqueuePending().catch((e) => log.warn({ err: (e as Error).message }, 'e-mails not queued yet (the sweep will)'));
        });
      },
    });
  }

  onApplicationBootstrap(): void {
    this.webhooks.start();
    this.mail.start();
    this.follower.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower.stop();
    await this.webhooks.stop();
    await this.mail.stop();
  }
}
