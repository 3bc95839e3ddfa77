import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { Subjects, type CredentialInvalidation } from '@ecert/contracts';
import { connectNats, natsCredentials } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';

/** What AccessService reads of a client credential and its client. */
export interface CredentialRow {
  id: string;
  client_id: string;
  secret_hash: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  name: string;
  status: string;
  operations: string[];
  region_codes: string[] | null;
  rate_limit_per_second: number;
}

const MAX_ENTRIES = 10_000;

/**
 * The client credentials the gateway read, for ECERT_CREDENTIAL_CACHE_MS: every API call looked its
 * credential up in PostgreSQL, a round trip (and a statement) per request on the hot path.
 *
 * What may go stale, and for how long: a change made through the API (a credential revoked, the
 * client disabled) drops the client's entries in this process before the answer is sent, and in
 * every other gateway process when its broadcast arrives (core NATS, `gateway.credentials.invalidate`).
 * A broadcast can be missed only while a connection is down, and while this process's is down or
 * not yet up nothing is cached or answered from the cache; a reconnect drops everything. What is
 * left is a change made in the database by hand, or a broadcast lost without a disconnect: bounded
 * by the entry's age. An entry read while an invalidation came in is not kept (the generation).
 * Only credentials that exist are cached: a new key works at once. Expiry is judged on every request
 * from the cached row, and the secret is compared on every request.
 *
 * A forged broadcast can only drop entries (the next request reads the database): nothing on the
 * bus can put a credential in.
 */
@Injectable()
export class CredentialCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<string, { row: CredentialRow; until: number }>();
  private readonly byClient = new Map<string, Set<string>>();
  private generation = 0;
  private nc?: NatsConnection;
  private sub?: Subscription;
  private connected = false;
  private subscriptionFailed = false;
  private readonly ttlMs: number;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.ttlMs = config.ECERT_CREDENTIAL_CACHE_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.ttlMs === 0) return;
    try {
      const nc = await connectNats(this.config.NATS_URL, 'gateway-credential-invalidation', natsCredentials(this.config, 'gateway'));
      this.nc = nc;
      this.sub = nc.subscribe(Subjects.gateway.credentialsInvalidate, {
        callback: (err, msg) => {
          if (err) {
            // A refused subscription (a NATS authorisation without the subject) hears nothing: no cache from now on.
            this.subscriptionFailed = true;
            this.clear();
            this.logger.error({ err: err.message }, 'credential invalidations cannot be heard; every request reads its credential (reload the NATS authorisation, deploy/nats)');
            return;
          }
          try {
            const m = msg.json() as CredentialInvalidation;
            if (typeof m?.clientId === 'string') this.drop(m.clientId);
            else this.clear();
          } catch {
            this.clear(); // unreadable: it may have meant anyone
          }
        },
      });
      // The subscription is registered with the server once a flush returns: from then on nothing is missed.
      await nc.flush();
      this.connected = true;
      void (async () => {
        for await (const st of nc.status()) {
          if (st.type === 'disconnect' || st.type === 'reconnect') {
            this.connected = false;
            this.clear();
          }
          // Trusted again once the server has the subscription back (the flush), and emptied then.
          if (st.type === 'reconnect') void nc.flush().then(() => ((this.connected = true), this.clear()), () => undefined);
          if (st.type === 'error') this.logger.warn({ status: JSON.stringify(st) }, 'credential invalidation connection reports an error');
        }
      })().catch(() => undefined);
      void nc.closed().then(() => {
        this.connected = false;
        this.clear();
      });
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'credential cache runs without invalidation broadcasts; every request reads its credential');
      this.nc = undefined;
    }
  }

  /** The credential under `key` (its id, or a certificate's fingerprint), from the cache or `load`. */
  async lookup(key: string, load: () => Promise<CredentialRow | undefined>): Promise<CredentialRow | undefined> {
    if (!this.usable()) return load();
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.row;
    if (hit) this.forget(key, hit.row.client_id);
    const generation = this.generation;
    const row = await load();
    if (row && generation === this.generation && this.usable()) this.keep(key, row);
    return row;
  }

  /**
   * A client's credentials or standing changed (committed): its entries go here at once, and in the
   * other gateway processes when the broadcast reaches them.
   */
  announce(clientId: string): void {
    this.drop(clientId);
    if (!this.nc || this.nc.isClosed()) return;
    try {
      this.nc.publish(Subjects.gateway.credentialsInvalidate, JSON.stringify({ clientId } satisfies CredentialInvalidation));
    } catch (e) {
      this.logger.warn({ err: (e as Error).message, clientId }, 'credential invalidation not broadcast; other gateway processes keep their entry until it ages out');
    }
  }

  private usable(): boolean {
    return this.ttlMs > 0 && this.connected && !this.subscriptionFailed && !!this.sub && !this.sub.isClosed() && !!this.nc && !this.nc.isClosed();
  }

  private keep(key: string, row: CredentialRow): void {
    if (this.entries.size >= MAX_ENTRIES) this.clear();
    this.entries.set(key, { row, until: Date.now() + this.ttlMs });
    let keys = this.byClient.get(row.client_id);
    if (!keys) this.byClient.set(row.client_id, (keys = new Set()));
    keys.add(key);
  }

  private forget(key: string, clientId: string): void {
    this.entries.delete(key);
    this.byClient.get(clientId)?.delete(key);
  }

  private drop(clientId: string): void {
    this.generation++;
    for (const key of this.byClient.get(clientId) ?? []) this.entries.delete(key);
    this.byClient.delete(clientId);
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
    this.byClient.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc?.close().catch(() => undefined);
  }
}
