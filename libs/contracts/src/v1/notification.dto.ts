/**
 * Notifications (docs/notifications.md): what the gateway's notifier asks the workflow-service,
 * and the Redis key formats of its queues.
 */

/** The actor the gateway's notifier acts as on the bus (no client, no staff member). */
export const NOTIFIER_ACTOR = 'gateway-notifications';

/** Subjects.workflow.handlerContact */
export interface HandlerContactQuery {
  certificateSerial: string;
}

/** The handler of the application that issued or last serviced the certificate, or `found: false`. */
export type HandlerContactReply =
  | { found: true; applicationId: string; name: string; email: string; unitName: string; regionCode: string }
  | { found: false };

/** Body of a BullMQ job of QueueNames.webhooks: the delivery row to attempt. */
export interface WebhookDeliveryJob {
  deliveryId: string;
  /** The delivery's generation the job was queued for; a job of an older one does nothing. */
  generation?: number;
}

/** Body of a BullMQ job of QueueNames.mail: the mail row to send. */
export interface MailDeliveryJob {
  mailId: string;
}
