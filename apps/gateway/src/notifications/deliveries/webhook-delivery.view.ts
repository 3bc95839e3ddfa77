/** One delivery of one event to one subscription, with every attempt. */
export interface WebhookDeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  orderKey: string;
  status: 'pending' | 'delivering' | 'failed' | 'succeeded' | 'dead';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
  /** Every attempt, oldest first. */
  log: { attempt: number; startedAt: string; durationMs: number; statusCode: number | null; error: string | null; outcome: 'succeeded' | 'failed' }[];
}
