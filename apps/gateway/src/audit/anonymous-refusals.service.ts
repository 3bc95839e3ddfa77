import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { GATEWAY_LOGGER } from '../gateway.tokens';
import { AuditTrail } from './audit-trail.service';

const WINDOW_MS = 60_000;
/** Distinct (action, address) pairs tracked per window; beyond it every newcomer shares one `*` bucket. */
const MAX_BUCKETS = 1000;
/** Distinct reasons and targets counted per bucket; the rest count as `other`. */
const MAX_KINDS = 10;

export interface AnonymousRefusal {
  action: string;
  /** The caller's address as the gateway sees it. */
  address: string | undefined;
  target: string | null;
  reason: string;
  status: number;
}

interface Bucket {
  action: string;
  address: string;
  status: number;
  window: number;
  repeated: number;
  from?: string;
  to?: string;
  reasons: Map<string, number>;
  targets: Map<string, number>;
}

function count(map: Map<string, number>, key: string): void {
  const k = map.has(key) || map.size < MAX_KINDS ? key : 'other';
  map.set(k, (map.get(k) ?? 0) + 1);
}

/**
 * Audits refusals of callers who presented no valid credential without letting them write at
 * will: per address and minute the first refusal is recorded at once (in full), the others are
 * counted and recorded as one summary when the minute is over. At most about two records per
 * address and minute, and at most ~2,000 per minute whatever the number of addresses.
 * Counts of the current minute are lost if the process dies (shutdown writes them).
 */
@Injectable()
export class AnonymousRefusals {
  private readonly buckets = new Map<string, Bucket>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditTrail,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(false), 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Resolves once a first refusal is written; a repeated one is only counted. Never throws. */
  async record(r: AnonymousRefusal): Promise<void> {
    const window = Math.floor(Date.now() / WINDOW_MS);
    let address = r.address || 'unknown';
    let bucket = this.current(`${r.action}|${address}`, window);
    if (!bucket && this.buckets.size >= MAX_BUCKETS) {
      address = '*';
      bucket = this.current(`${r.action}|*`, window);
    }
    if (bucket) {
      const now = new Date().toISOString();
      bucket.repeated++;
      bucket.from ??= now;
      bucket.to = now;
      count(bucket.reasons, r.reason);
      count(bucket.targets, r.target ?? '-');
      return;
    }
    this.buckets.set(`${r.action}|${address}`, { action: r.action, address, status: r.status, window, repeated: 0, reasons: new Map(), targets: new Map() });
    await this.audit
      .append({
        action: r.action,
        target: r.target,
        outcome: 'refused',
        details: { status: r.status, reason: r.reason, address, ...(address === '*' ? { note: 'too many addresses this minute: further ones are aggregated' } : {}) },
        clientId: null,
        staffId: null,
      })
      .catch((e) => this.logger.error({ err: (e as Error).message, action: r.action }, 'AUDIT: refusal not recorded'));
  }

  /** Writes the summaries of finished minutes (of all, at shutdown or when a test asks). */
  async flush(all = true): Promise<void> {
    const window = Math.floor(Date.now() / WINDOW_MS);
    const closing = [...this.buckets].filter(([, b]) => all || b.window < window);
    await Promise.all(closing.map(([key, b]) => this.close(key, b)));
  }

  /** The bucket of `key` for this window; a bucket of an earlier window is closed first. */
  private current(key: string, window: number): Bucket | undefined {
    const b = this.buckets.get(key);
    if (b && b.window !== window) {
      void this.close(key, b);
      return undefined;
    }
    return b;
  }

  private async close(key: string, b: Bucket): Promise<void> {
    if (this.buckets.get(key) === b) this.buckets.delete(key);
    if (!b.repeated) return;
    await this.audit
      .append({
        action: b.action,
        target: null,
        outcome: 'refused',
        details: { status: b.status, address: b.address, repeated: b.repeated, from: b.from, to: b.to, reasons: Object.fromEntries(b.reasons), targets: Object.fromEntries(b.targets) },
        clientId: null,
        staffId: null,
        requestId: null,
      })
      .catch((e) => this.logger.error({ err: (e as Error).message, action: b.action, repeated: b.repeated }, 'AUDIT: refusal summary not recorded'));
  }
}
