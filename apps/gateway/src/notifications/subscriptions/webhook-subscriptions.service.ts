import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  BoundedLookup,
  checkWebhookUrl,
  isSubscribablePattern,
  ProblemCode,
  ProblemError,
  refusedAddress,
  requiredReadOperation,
  scopeAllows,
  urlPort,
  validateRegionCode,
  type EcertConfig,
  type WebhookTargetPolicy,
} from '@ecert/common';
import { APPLICATION_EVENT_TYPES, CERTIFICATE_EVENT_TYPES, SEAL_EVENT_TYPES, type Page } from '@ecert/contracts';
import type { Principal } from '../../access/principal';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE } from '../../gateway.tokens';
import { resolvePlatformAddresses, webhookLookup, webhookTargetPolicy } from '../webhook-target-policy';
import { WebhookSecretBox } from './webhook-secret-box';
import { subscriptionView, type RemovedWebhookSubscriptionView, type WebhookSubscriptionSecretView, type WebhookSubscriptionView } from './webhook-subscription.view';

const SUBSCRIBABLE_TYPES: readonly string[] = [...CERTIFICATE_EVENT_TYPES, ...SEAL_EVENT_TYPES, ...APPLICATION_EVENT_TYPES];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SubscriptionInput {
  url?: string;
  eventTypes?: string[];
  regionCodes?: string[];
  description?: string;
  status?: 'active' | 'paused';
}

type ClientPrincipal = Extract<Principal, { kind: 'client' }>;

/** A business system's webhook subscriptions: each client sees and changes its own only. */
@Injectable()
export class WebhookSubscriptions {
  readonly policy: WebhookTargetPolicy;
  readonly box: WebhookSecretBox;
  /** Every name lookup of a webhook target (registration and delivery): a deadline, few threads. */
  readonly names: BoundedLookup;
  private platformResolved?: { at: number; done: Promise<void> };

  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
  ) {
    this.policy = webhookTargetPolicy(config);
    this.box = new WebhookSecretBox(config.ECERT_TOKEN_SECRET);
    this.names = webhookLookup(config);
  }

  /** The policy with the addresses of the platform's own names (resolved at most every 5 minutes). */
  async targetPolicy(): Promise<WebhookTargetPolicy> {
    if (!this.platformResolved || Date.now() - this.platformResolved.at > 300_000) {
      this.platformResolved = { at: Date.now(), done: resolvePlatformAddresses(this.policy, this.names) };
    }
    await this.platformResolved.done;
    return this.policy;
  }

  /** Subscriptions belong to registered client systems; staff have no webhook of their own. */
  client(principal: Principal | undefined): ClientPrincipal {
    if (principal?.kind !== 'client') throw new ProblemError(403, ProblemCode.forbidden, '仅限接入系统 (client systems only)', 'Webhook subscriptions belong to a registered client system; call with its API key or certificate');
    return principal;
  }

  async create(principal: Principal | undefined, input: SubscriptionInput & { url: string; eventTypes: string[] }): Promise<WebhookSubscriptionSecretView> {
    const client = this.client(principal);
    const checked = await this.checkInput(client, input);
    const id = randomUUID();
    const secret = WebhookSecretBox.newSecret();
    const max = this.config.WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT;
    await this.ds.transaction(async (m) => {
      // Serialised per client, so two concurrent requests cannot both take the last place.
      await m.query(`SELECT 1 FROM "gateway"."client" WHERE id = $1 FOR UPDATE`, [client.clientId]);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM "gateway"."webhook_subscription" WHERE client_id = $1`, [client.clientId]);
      if (n >= max) throw ProblemError.conflict(ProblemCode.webhookSubscriptionLimit, `A client system may have at most ${max} webhook subscriptions; this one has ${n}`);
      await m.query(
        `INSERT INTO "gateway"."webhook_subscription" (id, client_id, url, event_types, region_codes, description, secret_sealed) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [id, client.clientId, checked.url, checked.eventTypes, checked.regionCodes ?? client.regions, input.description ?? null, this.box.seal(secret, id)],
      );
    });
    return { ...(await this.get(principal, id)), secret };
  }

  async update(principal: Principal | undefined, id: string, input: SubscriptionInput): Promise<WebhookSubscriptionView> {
    const client = this.client(principal);
    await this.get(principal, id);
    const checked = await this.checkInput(client, input);
    await this.ds.query(
      `UPDATE "gateway"."webhook_subscription" SET url = COALESCE($3, url), event_types = COALESCE($4, event_types), region_codes = COALESCE($5, region_codes),
         description = CASE WHEN $6::boolean THEN $7 ELSE description END, status = COALESCE($8, status), updated_at = now()
       WHERE id = $1 AND client_id = $2`,
      [id, client.clientId, checked.url ?? null, checked.eventTypes ?? null, checked.regionCodes ?? null, input.description !== undefined, input.description ?? null, input.status ?? null],
    );
    return this.get(principal, id);
  }

  /** A new secret; the old one keeps signing (a second v1) for WEBHOOK_SECRET_GRACE_HOURS. */
  async rotateSecret(principal: Principal | undefined, id: string): Promise<WebhookSubscriptionSecretView> {
    const client = this.client(principal);
    await this.get(principal, id);
    const secret = WebhookSecretBox.newSecret();
    await this.ds.transaction(async (m) => {
      const [row] = await m.query(`SELECT secret_sealed FROM "gateway"."webhook_subscription" WHERE id = $1 AND client_id = $2 FOR UPDATE`, [id, client.clientId]);
      // A secret that can no longer be opened (ECERT_TOKEN_SECRET changed) is not kept as the previous one.
      let previous: string | null = row.secret_sealed;
      try {
        this.box.open(row.secret_sealed, id);
      } catch {
        previous = null;
      }
      await m.query(
        `UPDATE "gateway"."webhook_subscription" SET previous_secret_sealed = $3, previous_secret_until = now() + make_interval(secs => $4), secret_sealed = $5, updated_at = now() WHERE id = $1 AND client_id = $2`,
        [id, client.clientId, previous, this.config.WEBHOOK_SECRET_GRACE_HOURS * 3600, this.box.seal(secret, id)],
      );
    });
    return { ...(await this.get(principal, id)), secret };
  }

  async remove(principal: Principal | undefined, id: string): Promise<RemovedWebhookSubscriptionView> {
    const client = this.client(principal);
    await this.get(principal, id);
    await this.ds.query(`DELETE FROM "gateway"."webhook_subscription" WHERE id = $1 AND client_id = $2`, [id, client.clientId]);
    return { id, deleted: true };
  }

  async list(principal: Principal | undefined, page = 1, pageSize = 20): Promise<Page<WebhookSubscriptionView>> {
    const client = this.client(principal);
    const rows = await this.ds.query(`SELECT * FROM "gateway"."webhook_subscription" WHERE client_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [client.clientId, pageSize, (page - 1) * pageSize]);
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM "gateway"."webhook_subscription" WHERE client_id = $1`, [client.clientId]);
    return { items: rows.map(subscriptionView), page, pageSize, total: n };
  }

  /** The caller's own subscription; another client's is "not found" (ids cannot be probed). */
  async get(principal: Principal | undefined, id: string): Promise<WebhookSubscriptionView> {
    const client = this.client(principal);
    if (!UUID.test(id)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'subscription id must be a UUID');
    const rows = await this.ds.query(`SELECT * FROM "gateway"."webhook_subscription" WHERE id = $1 AND client_id = $2`, [id, client.clientId]);
    if (!rows.length) throw ProblemError.notFound(ProblemCode.notFound, `No webhook subscription ${id}`);
    return subscriptionView(rows[0]);
  }

  private async checkInput(client: ClientPrincipal, input: SubscriptionInput): Promise<{ url?: string; eventTypes?: string[]; regionCodes?: string[] }> {
    if (input.eventTypes) {
      for (const [i, t] of input.eventTypes.entries()) {
        if (!isSubscribablePattern(t, SUBSCRIBABLE_TYPES)) {
          throw ProblemError.badRequest(ProblemCode.validationFailed, `eventTypes[${i}]`, `'${t}' is not an event type one may subscribe to: certificate.*, seal.*, application.* or one of their types`);
        }
        // Receiving an event is reading what it is about (checked again at every fan-out).
        const needed = requiredReadOperation(t);
        if (needed && !client.operations.includes(needed)) {
          throw new ProblemError(403, ProblemCode.forbidden, '无权订阅 (not permitted to subscribe)', `'${t}' needs the operation ${needed}, which this client system is not granted`, `eventTypes[${i}]`);
        }
      }
    }
    if (input.regionCodes) {
      for (const [i, code] of input.regionCodes.entries()) {
        const r = validateRegionCode(code);
        if (!r.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, `regionCodes[${i}]`, r.message);
        if (!scopeAllows({ regions: client.regions }, code)) throw ProblemError.badRequest(ProblemCode.validationFailed, `regionCodes[${i}]`, `${code} is outside the regions this client serves (${client.regions.join(', ')})`);
      }
    }
    if (input.url !== undefined) await this.checkUrl(input.url);
    return { url: input.url, eventTypes: input.eventTypes ? [...new Set(input.eventTypes)] : undefined, regionCodes: input.regionCodes ? [...new Set(input.regionCodes)] : undefined };
  }

  /**
   * The URL's form, then what its host resolves to now (checked again at every delivery). The
   * form's faults are told; what the host resolved to is not (the answer would map the platform's
   * network for the caller): only that the target is not allowed, or does not resolve.
   */
  private async checkUrl(raw: string): Promise<void> {
    const refuse = (why: string) => new ProblemError(400, ProblemCode.webhookUrlRefused, '回调地址不可用 (webhook URL refused)', why, 'url');
    const policy = await this.targetPolicy();
    const r = checkWebhookUrl(raw, policy);
    const notAllowed = 'url is not an allowed target: it must be a public http(s) address outside the platform';
    if (!r.ok) throw refuse(/^url (host|points)/.test(r.reason) ? notAllowed : r.reason);
    const host = r.url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) return;
    let addresses: { address: string }[];
    try {
      addresses = await this.names.lookup(host);
    } catch {
      throw refuse(`url host ${host} does not resolve`);
    }
    if (addresses.some((a) => refusedAddress(a.address, urlPort(r.url), policy))) throw refuse(notAllowed);
  }
}
