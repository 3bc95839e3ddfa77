import type { InvalidationReason } from './events';
import type { ReviewTier } from './application.dto';

/**
 * The operators' view (issue 12 §5). Each service answers from its own schema; the gateway adds
 * the queues and puts the parts together. Every list is bounded (top N), nothing is paginated.
 */

/** What the gateway asks each service for (all optional; bounded by the services). */
export interface OperationsOverviewQuery {
  /** How many regions / applications each top-N list carries (1–50, default 10). */
  top?: number;
  /** Renewals due within this many days from now (1–366, default 30). */
  renewalWindowDays?: number;
}

export interface RegionCount {
  regionCode: string;
  count: number;
}

/** SLA breaches of open applications: past their overall due date or their current tier's. */
export interface SlaBreaches {
  total: number;
  /** By the tier the application is at (`none` once it left review: approved, in production...). */
  byTier: { tier: ReviewTier | 'none'; count: number }[];
  /** The regions with most breaches, most first. */
  byRegion: RegionCount[];
}

export interface AttentionItem {
  applicationId: string;
  regionCode: string;
  step: string;
  reason: string;
  since: string;
}

/** The workflow-service's part. */
export interface WorkflowOperationsOverview {
  slaBreaches: SlaBreaches;
  /** Applications whose fulfilment (saga) stopped on a step that cannot succeed: the oldest first. */
  needsAttention: { total: number; oldest: AttentionItem[] };
}

/** The cert-service's part. */
export interface CertificateOperationsOverview {
  /** Active certificates whose notAfter falls within the window (not renewed yet). */
  renewalsDue: { windowDays: number; total: number; byRegion: RegionCount[] };
  /** Certificates the 第二十条 rule puts on the invalid list now (not yet invalid), by reason. */
  invalidationsDue: { total: number; byReason: { reason: InvalidationReason; count: number }[] };
  /** Certificates already on the invalid list (status `invalid`). */
  invalidListSize: number;
}

export interface QueueFailures {
  queue: string;
  failed: number;
}

/** A webhook delivery that used up its attempts (gateway table webhook_delivery, status `dead`). */
export interface DeadWebhookDelivery {
  deliveryId: string;
  subscriptionId: string;
  clientId: string;
  eventType: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  deadAt: string;
}

/** A handler e-mail that used up its attempts (gateway table mail_delivery, status `dead`). */
export interface DeadMail {
  mailId: string;
  eventType: string;
  certificateSerial: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/**
 * Dead letters where the gateway keeps them: its delivery tables (BullMQ drops a failed job,
 * removeOnFail; the row stays and the client system that owns a webhook subscription can send a delivery again: POST /api/v1/webhooks/deliveries/{id}/redeliver).
 * Within the caller's regions (the event's regionCode; events without one: national scope only).
 */
export interface DeadLetters {
  webhooks: { total: number; oldest: DeadWebhookDelivery[] };
  mails: { total: number; oldest: DeadMail[] };
}

/** GET /api/v1/operations/overview. */
export interface OperationsOverview {
  generatedAt: string;
  /** The caller's region scope the counts are limited to. */
  regions: string[];
  late: { slaBreaches: SlaBreaches | null };
  failed: {
    sagasNeedingAttention: WorkflowOperationsOverview['needsAttention'] | null;
    /** Dead-lettered webhook deliveries and handler e-mails (null: the gateway's database did not answer). */
    deadLetters: DeadLetters | null;
    /** Failed jobs BullMQ still holds, per queue (null: Redis did not answer; then `queues` is in `unavailable`). */
    queues: QueueFailures[] | null;
  };
  due: {
    renewals: CertificateOperationsOverview['renewalsDue'] | null;
    invalidations: CertificateOperationsOverview['invalidationsDue'] | null;
    invalidListSize: number | null;
  };
  /** Parts a service could not give in time (its fields are null): the rest is still shown. */
  unavailable: string[];
}

/**
 * One instance's answer to the metrics request (Subjects.*.operationsMetrics): every instance of
 * a service answers (no queue group), the gateway labels each one's series with `instance`.
 * `snapshot` is prom-client's JSON form (checked by the gateway before use).
 */
export interface InstanceMetrics {
  instance: string;
  snapshot: unknown;
}
