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
            this.invalidate((msg.json() as OcspInvalidation).serials ?? []);
          } catch {
            /* a malformed broadcast changes nothing */
          }
        },
      });
      // Invalidations sent while the connection was down were missed: what is cached may be stale.
      const nc = this.nc;
      void (async () => {
        for await (const st of nc.status()) if (st.type === 'disconnect' || st.type === 'reconnect') this.clear();
      })().catch(() => undefined);
      nc.closed().then(() => this.clear());
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'OCSP cache runs without invalidation broadcasts; caching disabled');
      this.nc = undefined;
    }
  }

  get(key: string): Buffer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.der;
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

  invalidate(serials: string[]): void {
    this.generation++;
    for (const s of serials) {
      const keys = this.bySerial.get(s);
      if (!keys) continue;
      for (const k of keys) this.entries.delete(k);
      this.bySerial.delete(s);
    }
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.bySerial.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc?.close().catch(() => undefined);
  }
}
