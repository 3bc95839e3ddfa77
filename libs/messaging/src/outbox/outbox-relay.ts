import type { DataSource, EntityManager } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { preparedQuery, quotedTablePath } from '@ecert/database';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { EVENT_SIGNATURE_HEADER, EVENT_SIGNER_HEADER } from '@ecert/contracts';
import type { BusIdentity } from '../identity/bus-identity';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** How often to look for rows when nobody kicked the relay (other instances, restarts). */
  pollIntervalMs?: number;
  publishTimeoutMs?: number;
  /**
   * The outbox has a `lane` column (0 = ordinary, 1 = bulk: events of batch jobs). Each round
   * publishes the ordinary lane first, then fills up with bulk events, at least `bulkMin` of them
   * so a busy ordinary lane cannot starve the bulk one. An ordinary event (a freeze) then waits
   * for at most one round, never behind a million invalidations.
   */
  lanes?: { bulkMin: number };
}

/** Outbox lanes (see OutboxRelayOptions.lanes). */
export const OutboxLane = { ordinary: 0, bulk: 1 } as const;

/**
 * Moves committed outbox rows to JetStream. The event id is the Nats-Msg-Id, so a row published
 * twice (crash between publish and mark) is dropped by the stream's duplicate window, and
 * consumers dedupe by id as well. Events go out in commit-sequence order, one relay at a time,
 * each signed by this service's bus key so consumers can tell its events from forged ones.
 */
export class OutboxRelay {
  private readonly js: JetStreamClient;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private failures = 0;
  private readonly lanes?: { bulkMin: number };

  constructor(
    private readonly ds: DataSource,
    nc: NatsConnection,
    private readonly logger: Logger,
    private readonly identity: BusIdentity,
    opts: OutboxRelayOptions = {},
  ) {
    this.js = jetstream(nc);
    this.batchSize = opts.batchSize ?? 200;
    this.pollIntervalMs = opts.pollIntervalMs ?? 500;
    this.publishTimeoutMs = opts.publishTimeoutMs ?? 2000;
    this.lanes = opts.lanes;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Call after a commit that wrote events: publish now instead of at the next poll. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.drainOnce();
        this.failures = 0;
      } catch (e) {
        this.failures++;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.logger.warn({ err: (e as Error).message, failures: this.failures }, 'outbox relay cannot publish; will retry');
        }
      }
      if (published >= this.batchSize) continue;
      const backoff = this.failures ? Math.min(5000, 250 * 2 ** Math.min(this.failures, 5)) : this.pollIntervalMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One round's rows: in seq order, or with lanes the ordinary lane's first, then the bulk lane's. */
  private async nextRows(m: EntityManager, table: string): Promise<Row[]> {
    const pick = (where: string, limit: number): Promise<Row[]> =>
      preparedQuery<Row>(m, `SELECT id, subject, payload${this.lanes ? ', lane' : ''} FROM ${table} WHERE published_at IS NULL${where} ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
    if (!this.lanes) return pick('', this.batchSize);
    const ordinary = await pick(` AND lane = ${OutboxLane.ordinary}`, this.batchSize);
    const bulk = await pick(` AND lane = ${OutboxLane.bulk}`, Math.max(this.batchSize - ordinary.length, this.lanes.bulkMin));
    return [...ordinary, ...bulk];
  }

  /** Publishes one batch; returns how many rows it marked published. Throws if NATS is unreachable. */
  async drainOnce(): Promise<number> {
    const table = quotedTablePath(this.ds, OutboxMessage);
    const outcome = await this.ds.transaction(async (m): Promise<{ published: number; error?: Error }> => {
      // One relay at a time per outbox (several service instances each run one): parallel batches
      // would interleave and break the order consumers rely on. The key is the unquoted path, as
      // every release has taken it.
      const [{ locked }] = await preparedQuery<{ locked: boolean }>(m, 'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`outbox-relay:${this.ds.getMetadata(OutboxMessage).tablePath}`]);
      if (!locked) return { published: 0 };
      const rows = await this.nextRows(m, table);
      if (!rows.length) return { published: 0 };
      const encoder = new TextEncoder();
      // Strictly in seq order, stopping at the first failure: publishing the rest while an earlier
      // event waits for a retry would let consumers see, say, an unfreeze before its freeze.
      const done: string[] = [];
      let failure: { id: string; error: Error } | undefined;
      const publish = (r: Row) => {
        const body = encoder.encode(JSON.stringify(r.payload));
        const h = natsHeaders();
        h.set(EVENT_SIGNER_HEADER, this.identity.principal);
        h.set(EVENT_SIGNATURE_HEADER, this.identity.signBytes(body));
        return this.js.publish(r.subject, body, { msgID: r.id, timeout: this.publishTimeoutMs, headers: h });
      };
      const ordinary = this.lanes ? rows.filter((r) => r.lane !== OutboxLane.bulk) : rows;
      for (const r of ordinary) {
        try {
          await publish(r);
          done.push(r.id);
        } catch (e) {
          failure = { id: r.id, error: e as Error };
          break;
        }
      }
      // The bulk lane's events are each a certificate's last word from a batch job: their order
      // among themselves carries nothing, so they go out in windows of concurrent publishes
      // (one round trip per window, not per event), after the ordinary lane and only if it went out.
      const bulk = this.lanes && !failure ? rows.filter((r) => r.lane === OutboxLane.bulk) : [];
      for (let i = 0; i < bulk.length && !failure; i += BULK_WINDOW) {
        const window = bulk.slice(i, i + BULK_WINDOW);
        const settled = await Promise.allSettled(window.map(publish));
        settled.forEach((s, j) => {
          if (s.status === 'fulfilled') done.push(window[j]!.id);
          else failure ??= { id: window[j]!.id, error: s.reason as Error };
        });
      }
      if (done.length) await preparedQuery(m, `UPDATE ${table} SET published_at = now() WHERE id = ANY($1)`, [done]);
      if (failure) {
        await m.query(`UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [failure.id, String(failure.error?.message ?? failure.error)]);
      }
      return { published: done.length, error: failure?.error };
    });
    // Thrown only after the commit, so the attempt count and last error are kept.
    if (outcome.error && !outcome.published) throw outcome.error;
    return outcome.published;
  }
}

type Row = { id: string; subject: string; payload: unknown; lane?: number };

/** Concurrent publishes per window of the bulk lane. */
const BULK_WINDOW = 64;

