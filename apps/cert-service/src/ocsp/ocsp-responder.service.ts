import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Subjects, type OcspInvalidation } from '@ecert/contracts';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { CONFIG, DATA_SOURCE, LOGGER, NATS_CONNECTION, ServiceMetrics } from '@ecert/messaging';
import {
  OcspRequestError,
  OcspResponseBuilder,
  ocspErrorResponse,
  ocspIssuerKeys,
  ocspIssuerLookupKey,
  ocspAnswerTimes,
  parseOcspRequest,
  type OcspCertStatus,
  type OcspSingleResponse,
  type ReasonCode,
  serialKey,
} from '@ecert/pki';
import { CaRegistry } from '../ca/ca-registry.service';
import type { CaEntity } from '../ca/ca.entity';

interface StatusRow {
  serial: string;
  status: 'active' | 'frozen' | 'revoked' | 'invalid';
  revoked_at: Date | null;
  revocation_reason: string | null;
  frozen_at: Date | null;
}

interface Authority {
  ca: CaEntity;
  builder: Promise<OcspResponseBuilder>;
}

const MAX_CACHED_RESPONSES = 100_000;

interface CachedResponse {
  der: Uint8Array;
  expiresAt: number;
}

/**
 * RFC 6960 responder. Issuing CAs are answered by their delegated OCSP signer, roots (about
 * issuing CAs) by the root key itself. Signed answers to nonce-less requests are cached per
 * request until half their validity, and dropped the moment a serial's status changes.
 */
@Injectable()
export class OcspResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private invalidations?: Subscription;
  private authorities?: Map<string, Authority>;
  private authoritiesGeneration = -1;
  private readonly cache = new Map<string, CachedResponse>();
  private readonly cacheBySerial = new Map<string, Set<string>>();
  /**
   * Bumped by every invalidation. An answer is cached only if no invalidation happened while it
   * was being built: otherwise a status read just before a revocation committed could be cached
   * after the revocation's invalidation ran, and served as "good" until it expired.
   */
  private generation = 0;
  private readonly metrics = ServiceMetrics.of('cert-service');
  /** Answers by certificate status (good, revoked, unknown) and error responses by their status. */
  private readonly answers = this.metrics.counter('ecert_ocsp_responses_total', 'OCSP answers of the responder: single responses by certStatus, error responses by responseStatus', ['status']);
  private readonly lookups = this.metrics.counter('ecert_ocsp_cache_lookups_total', 'Cache lookups of nonce-less OCSP requests, by result (hit, miss)', ['result']);

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly registry: CaRegistry,
  ) {}

  /** Changes made by other cert-service instances drop this instance's cached answers too. */
  onApplicationBootstrap(): void {
    this.invalidations = this.nc.subscribe(Subjects.cert.ocspInvalidate, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.invalidate((msg.json() as OcspInvalidation).serials ?? []);
        } catch {
          /* a malformed broadcast changes nothing */
        }
      },
    });
    void (async () => {
      for await (const st of this.nc.status()) if (st.type === 'disconnect' || st.type === 'reconnect') this.clearCache();
    })().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.invalidations?.unsubscribe();
  }

  private clearCache(): void {
    this.generation++;
    this.cache.clear();
    this.cacheBySerial.clear();
  }

  private authorityMap(): Map<string, Authority> {
    if (this.authorities && this.authoritiesGeneration === this.registry.generation) return this.authorities;
    // The CAs changed (a renewed OCSP signer): cached answers were signed by the old key.
    this.clearCache();
    const map = new Map<string, Authority>();
    for (const ca of this.registry.all()) {
      if (ca.role !== 'root' && ca.role !== 'issuing') continue;
      // The delegated signer while it is usable, else the CA's own key (RFC 6960 allows both); a
      // revoked issuing CA answers for nobody (requests about its certificates get unauthorized).
      const delegated = ca.role === 'issuing' ? `${ca.family}-ocsp` : ca.id;
      const responderId = this.registry.usable(delegated) ? delegated : ca.id;
      const responder = this.registry.find(responderId);
      if (!responder || !this.registry.usable(responderId)) continue;
      const builder = this.registry.signer(responder.id).then(
        (signer) => new OcspResponseBuilder({ signer, certificates: responder.id === ca.id ? [] : [new Uint8Array(responder.certificate)] }),
      );
      const authority = { ca, builder };
      for (const k of ocspIssuerKeys(new Uint8Array(ca.certificate))) map.set(k.lookupKey, authority);
    }
    this.authorities = map;
    this.authoritiesGeneration = this.registry.generation;
    return map;
  }

  /** Forget cached answers naming these serials. */
  invalidate(serials: string[]): void {
    this.generation++;
    for (const s of serials) {
      const keys = this.cacheBySerial.get(s);
      if (!keys) continue;
      for (const k of keys) this.cache.delete(k);
      this.cacheBySerial.delete(s);
    }
  }

  /** Always returns a DER OCSPResponse; malformed input gets malformedRequest, never an exception. */
  async respond(requestDer: Uint8Array): Promise<{ der: Uint8Array; cacheableUntil?: number; serials: string[] }> {
    let request;
    try {
      request = parseOcspRequest(requestDer);
    } catch (e) {
      if (e instanceof OcspRequestError) {
        this.answers.inc({ status: 'malformedRequest' });
        return { der: ocspErrorResponse('malformedRequest'), serials: [] };
      }
      throw e;
    }
    const cacheKey = request.nonce ? undefined : Buffer.from(requestDer).toString('base64');
    if (cacheKey) {
      const hit = this.cache.get(cacheKey);
      this.lookups.inc({ result: hit && hit.expiresAt > Date.now() ? 'hit' : 'miss' });
      if (hit && hit.expiresAt > Date.now()) return { der: hit.der, cacheableUntil: hit.expiresAt, serials: [] };
    }
    const generation = this.generation;
    const authorities = this.authorityMap();
    const first = request.certIds.map((c) => authorities.get(ocspIssuerLookupKey(c) ?? '')).find(Boolean);
    if (!first) {
      this.answers.inc({ status: 'unauthorized' });
      return { der: ocspErrorResponse('unauthorized'), serials: [] };
    }

    const serials = request.certIds
      .filter((c) => authorities.get(ocspIssuerLookupKey(c) ?? '') === first && c.serialKey)
      .map((c) => c.serialKey!);
    const statuses = await this.statuses(first.ca.id, serials);
    const now = new Date();
    const validityMs = this.config.OCSP_VALIDITY_MINUTES * 60_000;
    const { thisUpdate, nextUpdate } = ocspAnswerTimes(now, validityMs);
    const responses: OcspSingleResponse[] = request.certIds.map((certId) => {
      const mine = authorities.get(ocspIssuerLookupKey(certId) ?? '') === first;
      const known = mine && certId.serialKey ? statuses.get(certId.serialKey) : undefined;
      return { certId, certStatus: known?.status ?? UNKNOWN, thisUpdate, nextUpdate };
    });
    const builder = await first.builder;
    const der = await builder.build({ producedAt: now, responses, nonce: request.nonce });
    for (const r of responses) this.answers.inc({ status: r.certStatus.status });
    if (cacheKey && generation === this.generation) {
      const expiresAt = now.getTime() + validityMs / 2;
      // Bounded: distinct requests are cheap to send, memory is not.
      if (this.cache.size >= MAX_CACHED_RESPONSES) this.clearCache();
      this.cache.set(cacheKey, { der, expiresAt });
      for (const s of serials) {
        let set = this.cacheBySerial.get(s);
        if (!set) this.cacheBySerial.set(s, (set = new Set()));
        set.add(cacheKey);
      }
      return { der, cacheableUntil: expiresAt, serials };
    }
    return { der, serials };
  }

  /**
   * What OCSP says of each serial issued by `caId`, read now: subscriber certificates from their
   * rows, CA-held ones (`caHeld`) from the revocation table and the registry. Serials neither
   * names are absent (unknown). The gateway's status view is filled from here too, so both say
   * the same.
   */
  async statuses(caId: string, serials: string[]): Promise<Map<string, { status: OcspCertStatus; caHeld: boolean }>> {
    const out = new Map<string, { status: OcspCertStatus; caHeld: boolean }>();
    if (!serials.length) return out;
    const rows: StatusRow[] = await this.ds.query(
      `SELECT serial, status, revoked_at, revocation_reason, frozen_at FROM "cert"."certificate" WHERE ca_id = $1 AND serial = ANY($2)`,
      [caId, serials],
    );
    for (const r of rows) out.set(r.serial, { status: statusOf(r), caHeld: false });
    const caStatuses = await this.caCertificateStatuses(caId, serials.filter((s) => !out.has(s)));
    for (const [serial, status] of caStatuses) out.set(serial, { status, caHeld: true });
    return out;
  }

  /**
   * Status of CA-held certificates (issuing CA, OCSP signer, seal maker) issued by `issuerId`:
   * revoked from the revocation table (read now, not from memory, so it holds the moment the
   * revocation commits), good for the current unrevoked certificate of a role, else unknown.
   */
  private async caCertificateStatuses(issuerId: string, serials: string[]): Promise<Map<string, OcspCertStatus>> {
    const out = new Map<string, OcspCertStatus>();
    if (!serials.length) return out;
    const revoked: { serial: string; revoked_at: Date; reason: string }[] = await this.ds.query(
      `SELECT serial, revoked_at, reason FROM "cert"."ca_revocation" WHERE issuer_ca_id = $1 AND serial = ANY($2)`,
      [issuerId, serials],
    );
    for (const r of revoked) out.set(r.serial, { status: 'revoked', revokedAt: r.revoked_at, reason: r.reason as Exclude<ReasonCode, 'removeFromCRL'> });
    for (const ca of this.registry.all()) {
      const key = serialKey(ca.serial);
      if (ca.parentId === issuerId && serials.includes(key) && !out.has(key)) out.set(key, { status: 'good' });
    }
    return out;
  }
}

const UNKNOWN: OcspCertStatus = { status: 'unknown' };

function statusOf(row: StatusRow): OcspCertStatus {
  if (row.status === 'frozen') return { status: 'revoked', revokedAt: row.frozen_at!, reason: 'certificateHold' };
  // Invalid (失效, 第二十条) is revoked for relying parties, with the reason it was given.
  if (row.status === 'revoked' || row.status === 'invalid') return { status: 'revoked', revokedAt: row.revoked_at!, reason: (row.revocation_reason ?? 'unspecified') as Exclude<ReasonCode, 'removeFromCRL'> };
  return { status: 'good' };
}
