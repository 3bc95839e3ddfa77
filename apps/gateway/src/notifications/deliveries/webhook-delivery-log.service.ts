import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { Page } from '@ecert/contracts';
import type { Principal } from '../../access/principal';
import { GATEWAY_DATA_SOURCE } from '../../gateway.tokens';
import { WebhookSubscriptions } from '../subscriptions/webhook-subscriptions.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import type { WebhookDeliveryView } from './webhook-delivery.view';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The delivery log of a client's subscriptions, and redelivery. */
@Injectable()
export class WebhookDeliveryLog {
  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async list(principal: Principal | undefined, subscriptionId: string, q: { page?: number; pageSize?: number; status?: string }): Promise<Page<WebhookDeliveryView>> {
    await this.subscriptions.get(principal, subscriptionId);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const rows = await this.ds.query(
      `SELECT * FROM "gateway"."webhook_delivery" WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY seq LIMIT $3 OFFSET $4`,
      [subscriptionId, q.status ?? null, pageSize, (page - 1) * pageSize],
    );
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM "gateway"."webhook_delivery" WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)`, [subscriptionId, q.status ?? null]);
    return { items: await this.views(rows), page, pageSize, total: n };
  }

  async redeliver(principal: Principal | undefined, deliveryId: string): Promise<WebhookDeliveryView> {
    const client = this.subscriptions.client(principal);
    const current = await this.get(client.clientId, deliveryId);
    if (current.status !== 'dead' && current.status !== 'succeeded') {
      throw ProblemError.conflict(ProblemCode.illegalTransition, `Delivery ${deliveryId} is ${current.status}: only a dead or delivered one can be sent again`);
    }
    await this.dispatcher.redeliver(client.clientId, deliveryId);
    return this.get(client.clientId, deliveryId);
  }

  private async get(clientId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    if (!/^[0-9a-f-]{36}$/.test(deliveryId)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'delivery id must be a UUID');
    const rows = await this.ds.query(
      `SELECT d.* FROM "gateway"."webhook_delivery" d JOIN "gateway"."webhook_subscription" s ON s.id = d.subscription_id WHERE d.id = $1 AND s.client_id = $2`,
      [deliveryId, clientId],
    );
    if (!rows.length) throw ProblemError.notFound(ProblemCode.notFound, `No webhook delivery ${deliveryId}`);
    return (await this.views(rows))[0];
  }

  private async views(rows: Record<string, unknown>[]): Promise<WebhookDeliveryView[]> {
    if (!rows.length) return [];
    const attempts: Record<string, unknown>[] = await this.ds.query(`SELECT * FROM "gateway"."webhook_delivery_attempt" WHERE delivery_id = ANY($1) ORDER BY id`, [rows.map((r) => r.id)]);
    return rows.map((r) => ({
      id: r.id as string,
      subscriptionId: r.subscription_id as string,
      eventId: r.event_id as string,
      eventType: r.event_type as string,
      orderKey: r.order_key as string,
      status: r.status as WebhookDeliveryView['status'],
      attempts: r.attempts as number,
      lastStatusCode: (r.last_status_code as number | null) ?? null,
      lastError: (r.last_error as string | null) ?? null,
      createdAt: (r.created_at as Date).toISOString(),
      deliveredAt: iso(r.delivered_at as Date | null),
      deadAt: iso(r.dead_at as Date | null),
      log: attempts
        .filter((a) => a.delivery_id === r.id)
        .map((a) => ({
          attempt: a.attempt as number,
          startedAt: (a.started_at as Date).toISOString(),
          durationMs: a.duration_ms as number,
          statusCode: (a.status_code as number | null) ?? null,
          error: (a.error as string | null) ?? null,
          outcome: a.outcome as 'succeeded' | 'failed',
        })),
    }));
  }
}
