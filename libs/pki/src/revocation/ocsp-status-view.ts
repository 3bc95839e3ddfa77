import type { OcspCertStatus } from './ocsp-response-builder';
import { serialKey } from './serial-number';

export interface OcspStatusViewOptions {
  /**
   * Longest an entry is used without a new read, even if no invalidation named it: core NATS
   * delivers at most once, so a broadcast lost while connected is noticed no later than this.
   */
  readonly maxAgeMs: number;
  /** Bound on memory: past it the view starts again empty (distinct serials are cheap to send). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry {
  readonly caId: string;
  readonly status: OcspCertStatus;
  readonly at: number;
}

/**
 * What an OCSP answer needs to know of each serial (good, revoked or on hold, with time and
 * reason), kept where answers are signed so a hit costs no round trip. It is only as current as
 * the invalidations it is told of, so:
 *
 * - a fill keeps nothing if any invalidation (or clear) happened after the fill's read began:
 *   the caller takes {@link generation} before asking and passes it to {@link fill}. A status read
 *   just before a revocation committed can then only be kept if it arrived before that
 *   revocation's invalidation, which drops it when it comes;
 * - `unknown` is never kept: issuance sends no invalidation, so a kept `unknown` would hide a
 *   certificate issued since;
 * - entries older than maxAgeMs are not used (a missed broadcast).
 */
export class OcspStatusView {
  readonly #entries = new Map<string, Entry>();
  #generation = 0;
  readonly #now: () => number;

  constructor(private readonly options: OcspStatusViewOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Read before asking for statuses; hand it to {@link fill} with the answer. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The kept status of `serial` under `caId`, if one is kept and young enough. */
  lookup(caId: string, serial: string): OcspCertStatus | undefined {
    const key = serialKey(serial);
    const e = this.#entries.get(key);
    if (!e || e.caId !== caId) return undefined;
    if (this.#now() - e.at >= this.options.maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.status;
  }

  /**
   * Keeps statuses read for `caId` by a read that began at `generation`, unless an invalidation
   * came since or `listening` is false (invalidations cannot reach the caller). Returns how many
   * were kept.
   */
  fill(caId: string, statuses: Iterable<readonly [string, OcspCertStatus]>, generation: number, listening: boolean): number {
    if (generation !== this.#generation || !listening) return 0;
    const at = this.#now();
    let kept = 0;
    for (const [serial, status] of statuses) {
      if (status.status === 'unknown') continue;
      if (this.#entries.size >= this.options.maxEntries) this.#entries.clear();
      this.#entries.set(serialKey(serial), { caId, status, at });
      kept++;
    }
    return kept;
  }

  /** These serials' statuses changed (or may have): drop them, and keep no fill under way. */
  invalidate(serials: readonly string[]): void {
    this.#generation++;
    for (const s of serials) {
      try {
        this.#entries.delete(serialKey(s));
      } catch {
        /* not a serial: nothing kept under it */
      }
    }
  }

  /** Anything may have changed (CAs changed, broadcasts possibly missed): start again empty. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
