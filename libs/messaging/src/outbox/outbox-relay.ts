import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** How often to look for rows when nobody kicked the relay (other instances, restarts). */
  pollIntervalMs?: number;
  publishTimeoutMs?: number;
}

/**
 * Moves committed outbox rows to JetStream. The event id is the Nats-Msg-Id, so a row published
 * twice (crash between publish and mark) is dropped by the stream's duplicate window, and
 * consumers dedupe by id as well. Rows are claimed with SKIP LOCKED so several service instances
 * can relay side by side.
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

  constructor(
    private readonly ds: DataSource,
    nc: NatsConnection,
    private readonly logger: Logger,
    opts: OutboxRelayOptions = {},
  ) {
    this.js = jetstream(nc);
    this.batchSize = opts.batchSize ?? 200;
    this.pollIntervalMs = opts.pollIntervalMs ?? 500;
    this.publishTimeoutMs = opts.publishTimeoutMs ?? 2000;
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
      if (published === this.batchSize) continue;
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

  /** Publishes one batch; returns how many rows it marked published. Throws if NATS is unreachable. */
  async drainOnce(): Promise<number> {
    const table = this.ds.getMetadata(OutboxMessage).tablePath;
    return this.ds.transaction(async (m) => {
      const rows: { id: string; subject: string; payload: unknown }[] = await m.query(
        `SELECT id, subject, payload FROM ${quote(table)} WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (!rows.length) return 0;
      const encoder = new TextEncoder();
      // Sent back to back on one connection, so the stream keeps their order.
      const results = await Promise.allSettled(
        rows.map((r) =>
          this.js.publish(r.subject, encoder.encode(JSON.stringify(r.payload)), { msgID: r.id, timeout: this.publishTimeoutMs }),
        ),
      );
      const done = rows.filter((_, i) => results[i].status === 'fulfilled').map((r) => r.id);
      const failed = rows.filter((_, i) => results[i].status === 'rejected').map((r) => r.id);
      if (done.length) await m.query(`UPDATE ${quote(table)} SET published_at = now() WHERE id = ANY($1)`, [done]);
      if (failed.length) {
        const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error;
        await m.query(`UPDATE ${quote(table)} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)`, [failed, String(reason?.message ?? reason)]);
        if (!done.length) throw reason;
      }
      return done.length;
    });
  }
}

function quote(tablePath: string): string {
  return tablePath
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}
