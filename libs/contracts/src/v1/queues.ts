/**
 * BullMQ queue names, shared because the operators' view (Bull Board on the gateway) shows queues
 * that other services own. Keys live under `<ECERT_REDIS_PREFIX>:bull` (see bullPrefix).
 */
export const QueueNames = {
  /** cert-service: CRL and delta CRL refresh. */
  crlRefresh: 'crl-refresh',
  /** cert-service: the 第二十条 invalid-list run (dry or real). */
  invalidation: 'certificate-invalidation',
  /** cert-service: renewal-window reminders and expiry events. */
  reminders: 'certificate-reminders',
  /** gateway notifications: signed webhook deliveries, retried with backoff. */
  webhooks: 'webhook-deliveries',
  /** gateway notifications: e-mail to handlers. */
  mail: 'mail-deliveries',
  /** workflow-service: sagas (fulfilment of approved applications), one job per application (see ApplicationSagaJob). */
  sagas: 'application-sagas',
  /** seal-service: removal of documents past their retention period. */
  documentRetention: 'document-retention',
} as const;

export type QueueName = (typeof QueueNames)[keyof typeof QueueNames];

/** The BullMQ key prefix for a deployment's (or a test run's) Redis prefix. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/**
 * A job of `QueueNames.sagas`: carry out the due steps of one application. Its job id is the
 * application id (one job per application); the steps and their retry times stay in PostgreSQL,
 * the job is only the trigger and what the board shows.
 */
export interface ApplicationSagaJob {
  applicationId: string;
}

/** The name of every job of `QueueNames.sagas`. */
export const SAGA_JOB_NAME = 'carry-out';
