import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { regionLikePatterns } from '@ecert/common';
import type { DeadLetters } from '@ecert/contracts';
import { ServiceMetrics } from '@ecert/messaging';
import { GATEWAY_DATA_SOURCE } from '../gateway.tokens';

const ERROR_MAX = 200;
// The event's region: in the webhook body's data, in the mail's event data. None: national only.
const WEBHOOK_REGION = `(d.body::jsonb -> 'data' ->> 'regionCode')`;
const MAIL_REGION = `(m.data ->> 'regionCode')`;

/**
 * Dead letters of the notifications, where they are kept: the gateway's delivery tables (a
 * delivery's BullMQ job is removed when it fails for good, removeOnFail; the row says `dead`).
 */
@Injectable()
export class DeadLettersQuery implements OnModuleInit {
  constructor(@Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource) {}

  onModuleInit(): void {
    ServiceMetrics.of('gateway').scrapedGauge('ecert_dead_letters', 'Webhook deliveries and handler e-mails that used up their attempts (kind = webhook, mail)', ['kind'], async (g) => {
      const [row]: { webhooks: number; mails: number }[] = await this.ds.query(
        `SELECT (SELECT count(*)::int FROM "gateway"."webhook_delivery" WHERE status = 'dead') AS webhooks, (SELECT count(*)::int FROM "gateway"."mail_delivery" WHERE status = 'dead') AS mails`,
      );
      g.set({ kind: 'webhook' }, row?.webhooks ?? 0);
      g.set({ kind: 'mail' }, row?.mails ?? 0);
    });
  }

  /** The caller's regions' dead letters: how many, and the oldest `top` of each. */
  async execute(regions: string[], top: number): Promise<DeadLetters> {
    const patterns = regionLikePatterns({ regions });
    // $1: the scope's LIKE patterns (none for national scope); the lists take `top` after them.
    const counted: unknown[] = patterns === undefined ? [] : [patterns];
    const listed = [...counted, top];
    const limit = `$${listed.length}`;
    const scope = (region: string) => (patterns === undefined ? 'TRUE' : `coalesce(${region}, '') LIKE ANY($1::text[])`);
    const [webhookTotal, webhooks, mailTotal, mails] = await Promise.all([
      this.ds.query(`SELECT count(*)::int AS n FROM "gateway"."webhook_delivery" d WHERE d.status = 'dead' AND ${scope(WEBHOOK_REGION)}`, counted),
      this.ds.query(
        `SELECT d.id, d.subscription_id, s.client_id, d.event_type, d.attempts, d.last_status_code, left(d.last_error, ${ERROR_MAX}) AS last_error, coalesce(d.dead_at, d.created_at) AS dead_at
           FROM "gateway"."webhook_delivery" d JOIN "gateway"."webhook_subscription" s ON s.id = d.subscription_id
          WHERE d.status = 'dead' AND ${scope(WEBHOOK_REGION)} ORDER BY d.dead_at, d.seq LIMIT ${limit}`,
        listed,
      ),
      this.ds.query(`SELECT count(*)::int AS n FROM "gateway"."mail_delivery" m WHERE m.status = 'dead' AND ${scope(MAIL_REGION)}`, counted),
      this.ds.query(
        `SELECT m.id, m.event_type, m.certificate_serial, m.attempts, left(m.last_error, ${ERROR_MAX}) AS last_error, m.created_at
           FROM "gateway"."mail_delivery" m WHERE m.status = 'dead' AND ${scope(MAIL_REGION)} ORDER BY m.created_at, m.id LIMIT ${limit}`,
        listed,
      ),
    ]);
    return {
      webhooks: {
        total: webhookTotal[0]?.n ?? 0,
        oldest: (webhooks as Record<string, unknown>[]).map((r) => ({
          deliveryId: r.id as string,
          subscriptionId: r.subscription_id as string,
          clientId: r.client_id as string,
          eventType: r.event_type as string,
          attempts: r.attempts as number,
          lastStatusCode: (r.last_status_code as number | null) ?? null,
          lastError: (r.last_error as string | null) ?? null,
          deadAt: (r.dead_at as Date).toISOString(),
        })),
      },
      mails: {
        total: mailTotal[0]?.n ?? 0,
        oldest: (mails as Record<string, unknown>[]).map((r) => ({
          mailId: r.id as string,
          eventType: r.event_type as string,
          certificateSerial: r.certificate_serial as string,
          attempts: r.attempts as number,
          lastError: (r.last_error as string | null) ?? null,
          createdAt: (r.created_at as Date).toISOString(),
        })),
      },
    };
  }
}
