import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER, type EcertConfig } from '@ecert/common';
import { QueueNames, type WebhookDeliveryJob } from '@ecert/contracts';
import { JobQueue } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../../gateway.tokens';
import { WebhookSubscriptions } from '../subscriptions/webhook-subscriptions.service';
import { sendWebhook, type SendResult } from './webhook-http-sender';

const D = `"gateway"."webhook_delivery"`;
const OPEN = `('pending', 'delivering', 'failed')`;
/** How often committed but not yet queued deliveries are looked for (a Redis outage, a restart, a due prune). */
const SWEEP_EVERY_MS = 10_000;
/** A delivery marked queued whose job is not in Redis after this long lost it (Redis emptied, an add that failed). */
const LOST_JOB_AFTER_S = 60;
const PRUNE_EVERY_MS = 6 * 3600_000;
/** What a client is told when its secret cannot be opened (ECERT_TOKEN_SECRET changed): rotate it. */
export const SECRET_UNAVAILABLE = 'signing secret unavailable';

type Claim =
  | { kind: 'skip'; kick?: string }
  | { kind: 'go'; id: string; subscriptionId: string; eventId: string; eventType: string; attempt: number; inSeries: number; url: string; body: string; secrets: string[] | null };

/**
 * Sends webhook deliveries through the BullMQ queue `QueueNames.webhooks`, the database being
 * the truth and the queue only the trigger.
 *
 * - Fair: a pass queues, per subscription, at most its free slots (WEBHOOK_SUBSCRIPTION_CONCURRENCY
 *   minus what it has queued and open, retrying ones included), oldest first. So a receiver that
 *   is down holds its own slots and nothing of anyone else's, and the queue holds at most
 *   subscriptions × slots jobs; no job waits for a slot.
 * - Ordered per subscription and key: a delivery is queued only when it is the oldest open one of
 *   its key and no other of the key is queued or under way (also after a redelivery of an old one).
 * - Retries are BullMQ's (exponential backoff), the budget the database's: after
 *   WEBHOOK_MAX_ATTEMPTS attempts of a series a delivery is dead, whatever jobs came and went.
 * - Only what changed is looked at: the subscriptions an event was written for, the one a delivery
 *   of finished, the one PATCHed; the periodic sweep looks at everything.
 */
@Injectable()
export class WebhookDispatcher {
  private jobs?: JobQueue<WebhookDeliveryJob>;
  private sweeper?: NodeJS.Timeout;
  private lastPrune = 0;
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
    this.jobs = JobQueue.open<WebhookDeliveryJob>(this.logger, {
      name: QueueNames.webhooks,
      redisUrl: this.config.REDIS_URL,
      redisPrefix: this.config.ECERT_REDIS_PREFIX,
      label: 'webhook',
      processor: (job) => this.process(job),
      concurrency: this.config.WEBHOOK_CONCURRENCY,
      // An attempt never outlives its timeout; the lock must outlive the attempt.
      worker: { lockDuration: Math.max(30_000, this.config.WEBHOOK_TIMEOUT_MS * 3) },
    });
    const sweep = () => void this.sweep().catch((e) => this.logger.warn({ err: (e as Error).message }, 'webhook sweep failed'));
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.jobs?.close();
  }

  /**
   * Queues what may go now, for the given subscriptions (or all): per subscription its free slots'
   * worth of key heads not queued yet, oldest first. Marked queued in the database first (one pass
   * at a time, so slots are never over-given), then added to Redis; an add that failed is found by
   * the sweep.
   */
  async enqueueReady(subscriptionIds?: readonly string[]): Promise<void> {
    const queue = this.jobs?.queue;
    if (!queue) return;
    if (subscriptionIds && !subscriptionIds.length) return;
    const limit = this.config.WEBHOOK_SUBSCRIPTION_CONCURRENCY;
    const rows: { id: string; generation: number }[] = await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('ecert-webhook-enqueue', 7))`);
      return m.query(
        `WITH subs AS (
           SELECT s.id, $1::int - (SELECT count(*)::int FROM ${D} q WHERE q.subscription_id = s.id AND q.status IN ${OPEN} AND q.queued_generation = q.generation) AS free
             FROM "gateway"."webhook_subscription" s JOIN "gateway"."client" c ON c.id = s.client_id AND c.status = 'enabled'
            WHERE s.status = 'active' AND ($2::uuid[] IS NULL OR s.id = ANY($2::uuid[]))
         ), picked AS (
           SELECT h.id FROM subs CROSS JOIN LATERAL (
             SELECT d.id FROM ${D} d
              WHERE d.subscription_id = subs.id AND d.status IN ('pending', 'failed') AND d.queued_generation IS DISTINCT FROM d.generation
                AND NOT EXISTS (SELECT 1 FROM ${D} e WHERE e.subscription_id = d.subscription_id AND e.order_key = d.order_key AND e.id <> d.id AND e.status IN ${OPEN}
                                  AND (e.seq < d.seq OR e.status = 'delivering' OR e.queued_generation = e.generation))
              ORDER BY d.seq LIMIT GREATEST(subs.free, 0)
           ) h WHERE subs.free > 0
         ), marked AS (
           UPDATE ${D} d SET queued_generation = d.generation, queued_at = now() FROM picked WHERE d.id = picked.id
           RETURNING d.id, d.generation
         )
         SELECT * FROM marked`,
        [limit, subscriptionIds ? [...subscriptionIds] : null],
      );
    });
    for (const r of rows) {
      await queue.add(
        'deliver',
        { deliveryId: r.id, generation: r.generation },
        {
          jobId: `${r.id}_${r.generation}`,
          // The database counts the budget; BullMQ's count only has to be no smaller.
          attempts: this.config.WEBHOOK_MAX_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    }
  }

  /** Crash recovery (claims older than any attempt, lost jobs), the retention prune, then queue what is ready. */
  private async sweep(): Promise<void> {
    await this.ds.query(
      `UPDATE ${D} SET status = 'pending', generation = generation + 1 WHERE status = 'delivering' AND claimed_at < now() - make_interval(secs => $1)`,
      [(this.config.WEBHOOK_TIMEOUT_MS * 3 + 60_000) / 1000],
    );
    const queued: { id: string; generation: number }[] = await this.ds.query(
      `SELECT id, generation FROM ${D} WHERE status IN ('pending', 'failed') AND queued_generation = generation AND queued_at < now() - make_interval(secs => $1)`,
      [LOST_JOB_AFTER_S],
    );
    for (const r of queued) {
      const job = await this.jobs!.queue.getJob(`${r.id}_${r.generation}`);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'unknown' || state === 'completed' || state === 'failed') {
        await this.ds.query(`UPDATE ${D} SET queued_generation = NULL WHERE id = $1 AND generation = $2 AND status IN ('pending', 'failed')`, [r.id, r.generation]);
      }
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.prune();
    }
    await this.enqueueReady();
  }

  /** Retention: finished deliveries (their attempts cascade) and e-mails older than NOTIFICATION_RETENTION_DAYS. */
  async prune(): Promise<{ deliveries: number; mails: number }> {
    const days = this.config.NOTIFICATION_RETENTION_DAYS;
    const d = await this.ds.query(`DELETE FROM ${D} WHERE status IN ('succeeded', 'dead') AND created_at < now() - make_interval(days => $1)`, [days]);
    const m = await this.ds.query(`DELETE FROM "gateway"."mail_delivery" WHERE status IN ('sent', 'no_contact', 'dead') AND created_at < now() - make_interval(days => $1)`, [days]);
    const counts = { deliveries: Number(d[1] ?? 0), mails: Number(m[1] ?? 0) };
    if (counts.deliveries || counts.mails) this.logger.info({ ...counts, days }, 'old webhook deliveries and e-mails pruned');
    return counts;
  }

  private async process(job: Job<WebhookDeliveryJob>): Promise<void> {
    const claim = await this.claim(job.data);
    if (claim.kind === 'skip') {
      if (claim.kick) await this.enqueueReady([claim.kick]);
      return;
    }
    const started = new Date();
    let result: SendResult;
    if (!claim.secrets) {
      // Nothing is sent unsigned: a failed attempt the client sees, dead-lettered like any other; a rotation recovers it.
      result = { error: undefined, durationMs: 0 };
    } else {
      const version = aggregateVersion(claim.body);
      result = await sendWebhook(
        claim.url,
        {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'ecert-webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(claim.secrets, claim.body),
          'ecert-event-id': claim.eventId,
          'ecert-event-type': claim.eventType,
          ...(version !== undefined ? { 'ecert-aggregate-version': String(version) } : {}),
          'ecert-delivery-id': claim.id,
          'ecert-delivery-attempt': String(claim.attempt),
        },
        claim.body,
        await this.subscriptions.targetPolicy(),
        this.config.WEBHOOK_TIMEOUT_MS,
        this.subscriptions.names,
      );
    }
    const ok = !!claim.secrets && !result.error && result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    // Coarse, for the client's log: never what a name resolved to or what the receiver said.
    const error = ok ? null : !claim.secrets ? SECRET_UNAVAILABLE : (result.error ?? `HTTP ${result.statusCode}`);
    if (!ok && result.detail) this.logger.info({ deliveryId: claim.id, subscriptionId: claim.subscriptionId, attempt: claim.attempt, error, detail: result.detail }, 'webhook attempt failed');
    const status = ok ? 'succeeded' : claim.inSeries >= this.config.WEBHOOK_MAX_ATTEMPTS ? 'dead' : 'failed';
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
    await this.enqueueReady([claim.subscriptionId]);
  }

  /**
   * Takes a delivery for one attempt if the job is of its current generation, it is still open,
   * no other delivery of its key is older and open or under way, and its subscription is active.
   */
  private async claim(job: WebhookDeliveryJob): Promise<Claim> {
    return this.ds.transaction(async (m) => {
      const [d] = await m.query(
        `SELECT d.*, s.url, s.secret_sealed, s.previous_secret_sealed, s.previous_secret_until, s.status AS sub_status, c.status AS client_status
           FROM ${D} d JOIN "gateway"."webhook_subscription" s ON s.id = d.subscription_id JOIN "gateway"."client" c ON c.id = s.client_id
          WHERE d.id = $1 FOR UPDATE OF d`,
        [job.deliveryId],
      );
      if (!d || (d.status !== 'pending' && d.status !== 'failed')) return { kind: 'skip' } as const;
      // A job of an older generation (its delivery was put back, redelivered) is stale.
      if (job.generation !== undefined && job.generation !== d.generation) return { kind: 'skip' } as const;
      const [{ blocked }] = await m.query(
        `SELECT EXISTS (SELECT 1 FROM ${D} WHERE subscription_id = $1 AND order_key = $2 AND id <> $3 AND status IN ${OPEN} AND (seq < $4 OR status = 'delivering')) AS blocked`,
        [d.subscription_id, d.order_key, d.id, d.seq],
      );
      if (blocked || d.sub_status !== 'active' || d.client_status !== 'enabled') {
        // Not its turn (an older one was redelivered) or not sendable now: queued again when it
        // is (its attempts so far still count). Not its turn: the subscription's head goes now.
        await m.query(`UPDATE ${D} SET status = 'pending', generation = generation + 1, queued_generation = NULL WHERE id = $1`, [d.id]);
        return { kind: 'skip', kick: blocked && d.sub_status === 'active' ? d.subscription_id : undefined } as const;
      }
      await m.query(`UPDATE ${D} SET status = 'delivering', claimed_at = now(), attempts = attempts + 1 WHERE id = $1`, [d.id]);
      return {
        kind: 'go',
        id: d.id,
        subscriptionId: d.subscription_id,
        eventId: d.event_id,
        eventType: d.event_type,
        attempt: d.attempts + 1,
        inSeries: d.attempts + 1 - d.series_start,
        url: d.url,
        body: d.body,
        secrets: this.secrets(d),
      } as const;
    });
  }

  /** The signing secrets; null when the current one cannot be opened. An unreadable previous one is left out. */
  private secrets(d: { id: string; subscription_id: string; secret_sealed: string; previous_secret_sealed: string | null; previous_secret_until: Date | null }): string[] | null {
    const box = this.subscriptions.box;
    let current: string;
    try {
      current = box.open(d.secret_sealed, d.subscription_id);
    } catch (e) {
      this.logger.error({ subscriptionId: d.subscription_id, deliveryId: d.id, err: (e as Error).message }, 'webhook signing secret cannot be opened (ECERT_TOKEN_SECRET changed?): the client must rotate it');
      return null;
    }
    const secrets = [current];
    if (d.previous_secret_sealed && d.previous_secret_until && d.previous_secret_until.getTime() > Date.now()) {
      try {
        secrets.push(box.open(d.previous_secret_sealed, d.subscription_id));
      } catch {
        this.logger.warn({ subscriptionId: d.subscription_id }, 'previous webhook secret cannot be opened: signing with the current one only');
      }
    }
    return secrets;
  }

  /**
   * Sends a dead (or delivered) delivery again, as a new series of attempts, in its place in the
   * order: it waits until no other delivery of its key is under way, and later ones of its key
   * wait for it.
   */
  async redeliver(clientId: string, deliveryId: string): Promise<void> {
    const rows = await this.ds.query(
      `WITH u AS (UPDATE ${D} d SET status = 'pending', generation = generation + 1, queued_generation = NULL, series_start = d.attempts, dead_at = NULL
                  FROM "gateway"."webhook_subscription" s WHERE d.id = $1 AND s.id = d.subscription_id AND s.client_id = $2 AND d.status IN ('dead', 'succeeded')
                  RETURNING d.subscription_id) SELECT * FROM u`,
      [deliveryId, clientId],
    );
    if (rows.length) await this.enqueueReady([rows[0].subscription_id]);
  }
}

/** The version of the certificate, seal or application after the event (`data.version`), where the event carries one. */
export function aggregateVersion(body: string): number | undefined {
  try {
    const v = (JSON.parse(body) as { data?: { version?: unknown } }).data?.version;
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
