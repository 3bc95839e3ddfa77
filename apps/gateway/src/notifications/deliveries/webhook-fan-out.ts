import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { deliveryOrderKey, eventTypeMatches, NATIONAL_SCOPE, regionsReceive, requiredReadOperation } from '@ecert/common';
import type { DomainEvent } from '@ecert/contracts';

/**
 * What a receiver gets: the event without who caused it (the actor names other clients and
 * staff members) — id, type, time, subject and data.
 */
export function webhookBody(event: DomainEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, aggregateId: event.aggregateId, data: event.data });
}

type SubscriptionRow = { id: string; client_id: string; event_types: string[]; region_codes: string[]; client_regions: string[] | null };

/**
 * The subscriptions read for one batch of events, by the read operation they need: a batch of
 * consumed events (one transaction) reads them once, not once per event.
 */
export type WebhookSubscriptionCache = Map<string, Promise<SubscriptionRow[]>>;

/**
 * Writes one delivery per matching subscription, in the transaction that records the event as
 * consumed: each event is fanned out exactly once, and `seq` fixes the order per key. Subscriptions
 * of enabled clients (a paused one keeps its deliveries until resumed) that are still granted the
 * family's read operation (it may have been withdrawn since they subscribed); only within both
 * the subscription's and the client's regions; application events only to the client system that
 * filed the application. Returns the subscriptions written for.
 */
export async function fanOutWebhooks(manager: EntityManager, event: DomainEvent, subscriptions?: WebhookSubscriptionCache): Promise<string[]> {
  const family = event.type.split('.')[0];
  const needed = requiredReadOperation(event.type);
  if (!needed || !['certificate', 'seal', 'application'].includes(family)) return [];
  const load = (): Promise<SubscriptionRow[]> =>
    manager.query(
      `SELECT s.id, s.client_id, s.event_types, s.region_codes, c.region_codes AS client_regions
         FROM "gateway"."webhook_subscription" s JOIN "gateway"."client" c ON c.id = s.client_id
        WHERE c.status = 'enabled' AND $1 = ANY(c.operations) ORDER BY s.id`,
      [needed],
    );
  let pending = subscriptions?.get(needed);
  if (!pending) subscriptions?.set(needed, (pending = load()));
  const subs = await (pending ?? load());
  const filedBy = family === 'application' ? (event.data as { filedByClientId?: string | null } | undefined)?.filedByClientId ?? null : undefined;
  const body = webhookBody(event);
  const key = deliveryOrderKey(event);
  const written: string[] = [];
  for (const s of subs) {
    if (!eventTypeMatches(s.event_types, event.type)) continue;
    if (!regionsReceive(s.region_codes, event) || !regionsReceive(s.client_regions?.length ? s.client_regions : [NATIONAL_SCOPE], event)) continue;
    if (filedBy !== undefined && filedBy !== s.client_id) continue;
    await manager.query(
      `INSERT INTO "gateway"."webhook_delivery" (id, subscription_id, event_id, event_type, order_key, body) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (subscription_id, event_id) DO NOTHING`,
      [randomUUID(), s.id, event.id, event.type, key, body],
    );
    written.push(s.id);
  }
  return written;
}
