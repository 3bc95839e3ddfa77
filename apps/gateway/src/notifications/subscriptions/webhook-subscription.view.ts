export interface WebhookSubscriptionView {
  id: string;
  clientId: string;
  url: string;
  eventTypes: string[];
  regionCodes: string[];
  description: string | null;
  status: 'active' | 'paused';
  /** Until when the previous secret (after a rotation) still signs deliveries too. */
  previousSecretValidUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export function subscriptionView(r: Record<string, unknown>): WebhookSubscriptionView {
  const until = r.previous_secret_until as Date | null;
  return {
    id: r.id as string,
    clientId: r.client_id as string,
    url: r.url as string,
    eventTypes: r.event_types as string[],
    regionCodes: r.region_codes as string[],
    description: (r.description as string | null) ?? null,
    status: r.status as 'active' | 'paused',
    previousSecretValidUntil: until && until.getTime() > Date.now() ? until.toISOString() : null,
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
  };
}

/** A subscription with its signing secret: only in the answer that made the secret (create, rotate). */
export interface WebhookSubscriptionSecretView extends WebhookSubscriptionView {
  /** HMAC-SHA256 key of the `Ecert-Webhook-Signature` header; ecert keeps it encrypted and never shows it again. */
  secret: string;
}

/** DELETE /api/v1/webhooks/subscriptions/{id}. */
export interface RemovedWebhookSubscriptionView {
  id: string;
  deleted: true;
}
