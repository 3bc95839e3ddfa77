import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER, type EcertConfig } from '@ecert/common';
import { bullPrefix, QueueNames, type WebhookDeliveryJob } from '@ecert/contracts';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../../gateway.tokens';
import { WebhookSubscriptions } from '../subscriptions/webhook-subscriptions.service';
import { sendWebhook } from './webhook-http-sender';

const D = `"gateway"."webhook_delivery"`;
const OPEN = `('pending', 'delivering', 'failed')`;
/** How often committed but not yet queued deliveries are looked for (a Redis outage, a restart). */
const SWEEP_EVERY_MS = 10_000;
/** A subscription at its limit of deliveries in flight: look again after this long. */
const BUSY_RETRY_MS = 500;

type Claim =
  | { kind: 'skip' }
  | { kind: 'busy' }
  | { kind: 'go'; id: string; subscriptionId: string; orderKey: string; eventId: string; eventType: string; attempt: number; url: string; body: string; secrets: string[] };

/**
 * Sends webhook deliveries through the BullMQ queue `QueueNames.webhooks`, the database being
 * the truth and the queue only the trigger. Order per subscription and key: only the oldest open
 * delivery of a key is queued, and the next one only when it succeeded or was dead-lettered.
 * Retries are BullMQ's (exponential backoff); after WEBHOOK_MAX_ATTEMPTS a delivery is dead.
 * Concurrency is bounded overall (WEBHOOK_CONCURRENCY) and per subscription
 * (WEBHOOK_SUBSCRIPTION_CONCURRENCY), and each attempt by WEBHOOK_TIMEOUT_MS, so a receiver that
 * never answers holds a few slots for a bounded time and nothing piles up behind other receivers.
 */
@Injectable()
export class WebhookDispatcher {
  private queue?: Queue<WebhookDeliveryJob>;
  private worker?: Worker<WebhookDeliveryJob>;
  private sweeper?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) logger: Logger,
    private readonly subscriptions: WebhookSubscriptions,
  ) {
    this.logger = logger.child({ component: 'webhooks' });
  }

  start(): void {
    const connection = { url: this.config.REDIS_URL, maxRetriesPerRequest: null };
    const prefix = bullPrefix(this.config.ECERT_REDIS_PREFIX);
    this.queue = new Queue(QueueNames.webhooks, { connection, prefix });
    this.worker = new Worker(QueueNames.webhooks, (job, token) => this.process(job, token), {
      connection,
      prefix,
      concurrency: this.config.WEBHOOK_CONCURRENCY,
      // An attempt never outlives its timeout; the lock must outlive the attempt.
      lockDuration: Math.max(30_000, this.config.WEBHOOK_TIMEOUT_MS * 3),
    });
    this.worker.on('error', (e) => this.logger.warn({ err: e.message }, 'webhook worker error'));
    this.queue.on('error', (e) => this.logger.warn({ err: e.message }, 'webhook queue error'));
    const sweep = () => void this.sweep().catch((e) => this.logger.warn({ err: (e as Error).message }, 'webhook sweep failed'));
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    const bounded = (p: Promise<unknown> | undefined) => Promise.race([p, new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(this.worker?.close());
    await bounded(this.queue?.close());
  }

  /**
   * Deliveries that may go now are queued (after a commit that wrote some, or one that finished).
   * A retrying (`failed`) one still has its job, so adding it again is a no-op; it is re-added only
   * if that job was lost (it failed on an error of ours, Redis was emptied).
   */
  async enqueueReady(filter?: { subscriptionId: string; orderKey: string }): Promise<void> {
    if (!this.queue) return;
    const rows: { id: string; generation: number }[] = await this.ds.query(
      `SELECT d.id, d.generation FROM ${D} d
         JOIN "gateway"."webhook_subscription" s ON s.id = d.subscription_id AND s.status = 'active'
         JOIN "gateway"."client" c ON c.id = s.client_id AND c.status = 'enabled'
        WHERE d.status IN ('pending', 'failed') ${filter ? 'AND d.subscription_id = $1 AND d.order_key = $2' : ''}
          AND NOT EXISTS (SELECT 1 FROM ${D} e WHERE e.subscription_id = d.subscription_id AND e.order_key = d.order_key AND e.seq < d.seq AND e.status IN ${OPEN})
        ORDER BY d.seq LIMIT 1000`,
      filter ? [filter.subscriptionId, filter.orderKey] : [],
    );
    for (const r of rows) {
      await this.queue.add(
        'deliver',
        { deliveryId: r.id },
        {
          jobId: `${r.id}_${r.generation}`,
          attempts: this.config.WEBHOOK_MAX_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    }
  }

  /** Crash recovery: a claim older than any attempt can last goes back to pending; then queue what is ready. */
  private async sweep(): Promise<void> {
    await this.ds.query(
      `UPDATE ${D} SET status = 'pending', generation = generation + 1 WHERE status = 'delivering' AND claimed_at < now() - make_interval(secs => $1)`,
      [(this.config.WEBHOOK_TIMEOUT_MS * 3 + 60_000) / 1000],
    );
    await this.enqueueReady();
  }

  private async process(job: Job<WebhookDeliveryJob>, token?: string): Promise<void> {
    const claim = await this.claim(job.data.deliveryId);
    if (claim.kind === 'skip') return;
    if (claim.kind === 'busy') {
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const started = new Date();
    const result = await sendWebhook(
      claim.url,
      {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'ecert-webhooks/1',
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(claim.secrets, claim.body),
        'ecert-event-id': claim.eventId,
        'ecert-event-type': claim.eventType,
        'ecert-delivery-id': claim.id,
        'ecert-delivery-attempt': String(claim.attempt),
      },
      claim.body,
      this.subscriptions.policy,
      this.config.WEBHOOK_TIMEOUT_MS,
    );
    const ok = !result.error && result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}${result.responseSnippet ? `: ${result.responseSnippet.slice(0, 200)}` : ''}`);
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const status = ok ? 'succeeded' : last ? 'dead' : 'failed';
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO "gateway"."webhook_delivery_attempt" (delivery_id, attempt, started_at, duration_ms, status_code, error, outcome) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [claim.id, claim.attempt, started, result.durationMs, result.statusCode ?? null, error, ok ? 'succeeded' : 'failed'],
      );
      await m.query(
        `UPDATE ${D} SET status = $2, last_status_code = $3, last_error = $4, claimed_at = NULL,
           delivered_at = CASE WHEN $2 = 'succeeded' THEN now() ELSE delivered_at END, dead_at = CASE WHEN $2 = 'dead' THEN now() ELSE NULL END
         WHERE id = $1`,
        [claim.id, status, result.statusCode ?? null, error],
      );
    });
    if (status === 'dead') this.logger.warn({ deliveryId: claim.id, subscriptionId: claim.subscriptionId, attempts: claim.attempt, error }, 'webhook delivery dead-lettered');
    if (status === 'failed') throw new Error(error ?? 'delivery failed');
    await this.enqueueReady({ subscriptionId: claim.subscriptionId, orderKey: claim.orderKey });
  }

  /**
   * Takes a delivery for one attempt if it is still open, the oldest open one of its key, its
   * subscription active and under its in-flight limit (serialised per subscription).
   */
  private async claim(deliveryId: string): Promise<Claim> {
    return this.ds.transaction(async (m) => {
      const [ref] = await m.query(`SELECT subscription_id FROM ${D} WHERE id = $1`, [deliveryId]);
      if (!ref) return { kind: 'skip' } as const;
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [ref.subscription_id]);
      const [d] = await m.query(
        `SELECT d.*, s.url, s.secret_sealed, s.previous_secret_sealed, s.previous_secret_until, s.status AS sub_status, c.status AS client_status
           FROM ${D} d JOIN "gateway"."webhook_subscription" s ON s.id = d.subscription_id JOIN "gateway"."client" c ON c.id = s.client_id
          WHERE d.id = $1 FOR UPDATE OF d`,
        [deliveryId],
      );
      if (!d || (d.status !== 'pending' && d.status !== 'failed')) return { kind: 'skip' } as const;
      const [{ earlier }] = await m.query(`SELECT EXISTS (SELECT 1 FROM ${D} WHERE subscription_id = $1 AND order_key = $2 AND seq < $3 AND status IN ${OPEN}) AS earlier`, [d.subscription_id, d.order_key, d.seq]);
      if (earlier || d.sub_status !== 'active' || d.client_status !== 'enabled') {
        // Not its turn (an older one was redelivered) or not sendable now: queued again when it is.
        await m.query(`UPDATE ${D} SET status = 'pending', generation = generation + 1 WHERE id = $1`, [deliveryId]);
        return { kind: 'skip' } as const;
      }
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM ${D} WHERE subscription_id = $1 AND status = 'delivering'`, [d.subscription_id]);
      if (n >= this.config.WEBHOOK_SUBSCRIPTION_CONCURRENCY) return { kind: 'busy' } as const;
      await m.query(`UPDATE ${D} SET status = 'delivering', claimed_at = now(), attempts = attempts + 1 WHERE id = $1`, [deliveryId]);
      const box = this.subscriptions.box;
      const secrets = [box.open(d.secret_sealed, d.subscription_id)];
      if (d.previous_secret_sealed && d.previous_secret_until && (d.previous_secret_until as Date).getTime() > Date.now()) secrets.push(box.open(d.previous_secret_sealed, d.subscription_id));
      return { kind: 'go', id: d.id, subscriptionId: d.subscription_id, orderKey: d.order_key, eventId: d.event_id, eventType: d.event_type, attempt: d.attempts + 1, url: d.url, body: d.body, secrets } as const;
    });
  }

  /** Sends a dead (or delivered) delivery again, as a new series of attempts, in its place in the order. */
  async redeliver(clientId: string, deliveryId: string): Promise<void> {
    const rows = await this.ds.query(
      `WITH u AS (UPDATE ${D} d SET status = 'pending', generation = generation + 1, dead_at = NULL
                  FROM "gateway"."webhook_subscription" s WHERE d.id = $1 AND s.id = d.subscription_id AND s.client_id = $2 AND d.status IN ('dead', 'succeeded')
                  RETURNING d.subscription_id, d.order_key) SELECT * FROM u`,
      [deliveryId, clientId],
    );
    if (rows.length) await this.enqueueReady({ subscriptionId: rows[0].subscription_id, orderKey: rows[0].order_key });
  }
}
