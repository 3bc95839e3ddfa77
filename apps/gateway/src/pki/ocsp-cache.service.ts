import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { connectNats, natsCredentials } from '@ecert/messaging';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { Subjects, type OcspInvalidation } from '@ecert/contracts';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';

interface Entry {
  der: Buffer;
  expiresAt: number;
  serials: string[];
}

const MAX_ENTRIES = 200_000;

/**
 * Signed answers to nonce-less OCSP requests, kept in the gateway so the hot path needs no NATS
 * round trip. Entries live until the responder's cacheableUntil, and go at once when the
 * cert-service broadcasts a status change (or this gateway relayed one).
 */
@Injectable()
export class OcspCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private readonly bySerial = new Map<string, Set<string>>();
  private nc?: NatsConnection;
  private sub?: Subscription;
  /** Bumped by every invalidation; see set(). */
  generation = 0;
  private readonly listeners: ((serials: string[] | undefined) => void)[] = [];
  private readonly casListeners: (() => void)[] = [];
  private disconnected = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      this.nc = await connectNats(this.config.NATS_URL, 'gateway-ocsp-invalidation', natsCredentials(this.config, 'gateway'));
      this.sub = this.nc.subscribe(Subjects.cert.ocspInvalidate, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const m = msg.json() as OcspInvalidation;
            // A CA revoked or replaced: answers signed by its key must not be served any more.
            if (m.casChanged) this.casChanged();
            else this.invalidate(m.serials ?? []);
          } catch {
            /* a malformed broadcast changes nothing */
          }
        },
      });
      // Invalidations sent while the connection was down were missed: what is cached may be stale.
      const nc = this.nc;
      void (async () => {
        for await (const st of nc.status()) {
          if (st.type === 'disconnect') this.disconnected = true;
          if (st.type === 'reconnect') this.disconnected = false;
          if (st.type === 'disconnect' || st.type === 'reconnect') this.clear();
        }
      })().catch(() => undefined);
      nc.closed().then(() => this.clear());
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'OCSP cache runs without invalidation broadcasts; caching disabled');
      this.nc = undefined;
    }
  }

  get(key: string): { der: Buffer; remainingSeconds: number } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { der: e.der, remainingSeconds: Math.floor((e.expiresAt - Date.now()) / 1000) };
  }

  /**
   * `generation` is this.generation as read before the answer was requested: if any invalidation
   * happened since, the answer may predate a status change and is not cached.
   */
  set(key: string, der: Buffer, expiresAt: number, serials: string[], generation: number): void {
    if (generation !== this.generation || !this.nc || this.nc.isClosed() || expiresAt <= Date.now()) return;
    if (this.entries.size >= MAX_ENTRIES) this.clear();
    this.entries.set(key, { der, expiresAt, serials });
    for (const s of serials) {
      let set = this.bySerial.get(s);
      if (!set) this.bySerial.set(s, (set = new Set()));
      set.add(key);
    }
  }

  /** True while invalidation broadcasts can reach this gateway: only then may status be cached. */
  listening(): boolean {
    return !!this.nc && !this.nc.isClosed() && !this.disconnected;
  }

  /** Also told of every invalidation (undefined = everything): other caches of certificate status. */
  onInvalidate(listener: (serials: string[] | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Told when the CA set changed (a CA revoked or replaced), after everything cached was dropped. */
  onCasChanged(listener: () => void): void {
    this.casListeners.push(listener);
  }

  /** A CA was revoked or replaced: nothing cached outlives it, and what was built from the CAs is rebuilt. */
  casChanged(): void {
    this.clear();
    for (const l of this.casListeners) l();
  }

  invalidate(serials: string[]): void {
    this.generation++;
    for (const l of this.listeners) l(serials);
    for (const s of serials) {
      const keys = this.bySerial.get(s);
      if (!keys) continue;
      for (const k of keys) this.entries.delete(k);
      this.bySerial.delete(s);
    }
  }

  clear(): void {
    this.generation++;
    for (const l of this.listeners) l(undefined);
    this.entries.clear();
    this.bySerial.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc?.close().catch(() => undefined);
  }
}
