import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CoalescedRuns, NATIONAL_SCOPE, requestContext, type EcertConfig } from '@ecert/common';
import { Subjects, type CaView, type OcspDelegateReply } from '@ecert/contracts';
import {
  OcspResponseBuilder,
  certificateFields,
  decodePem,
  describePublicKey,
  generateEphemeralSigner,
  ocspIssuerKeys,
  publicKeyFingerprint,
} from '@ecert/pki';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import { RpcClient } from '../rpc/rpc-client.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { OcspCache } from './ocsp-cache.service';

/** One issuing CA this gateway answers for with a key of its own. */
export interface DelegatedAuthority {
  readonly caId: string;
  readonly builder: OcspResponseBuilder;
  /** The delegated responder certificate (DER). */
  readonly certificate: Uint8Array;
  /** The issuing CA certificate it was certified under (a re-keyed CA needs a new one). */
  readonly caCertificate: Buffer;
  readonly notAfter: number;
  readonly renewAt: number;
}

/** How often the CA list is looked at again: renewals at half-life, CAs that could not be served before. */
const CHECK_INTERVAL_MS = 60_000;
/**
 * After a refresh that left a CA without a responder (the cert-service not up yet when the gateway
 * starts, say), the next comes this soon, doubling up to CHECK_INTERVAL_MS: nonce answers would
 * otherwise all go to the cert-service for up to a minute after every start.
 */
const RETRY_FIRST_MS = 500;
/** A certificate this close to its end is not used any more (clocks of relying parties). */
const END_MARGIN_MS = 5 * 60_000;

/**
 * The gateway's delegated OCSP responders, one per usable issuing CA: a key generated here at
 * start, held in memory only (a restart means a new key), certified by the cert-service for
 * OCSP_GATEWAY_SIGNER_HOURS (cert.ocsp.delegate) and renewed at half-life. A CA change (revoked or
 * replaced CA) drops them all at once; they are then asked for again, and the cert-service refuses a
 * revoked CA, whose requests keep going the cert-service's way (unauthorized).
 */
@Injectable()
export class OcspDelegatedSigners implements OnApplicationBootstrap, OnApplicationShutdown {
  private byIssuerKey = new Map<string, DelegatedAuthority>();
  private byCa = new Map<string, DelegatedAuthority>();
  /** Bumped on every CA change: a refresh begun before one installs nothing. */
  private epoch = 0;
  private readonly refreshes = new CoalescedRuns(
    () =>
      this.refreshOnce().then(
        (complete) => this.retryIfIncomplete(complete),
        (e) => {
          this.logger.warn({ err: (e as Error).message }, 'OCSP: delegated responder certificates not renewed; nonce answers are signed by the cert-service meanwhile');
          this.retryIfIncomplete(false);
        },
      ),
    () => this.enabled,
  );
  private timer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private failedRefreshes = 0;
  private stopped = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    private readonly rpc: RpcClient,
    private readonly audit: AuditTrail,
    ocsp: OcspCache,
  ) {
    ocsp.onCasChanged(() => this.dropAll());
  }

  get enabled(): boolean {
    return this.config.OCSP_GATEWAY_SIGNING;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
  }

  private retryIfIncomplete(complete: boolean): void {
    if (complete) {
      this.failedRefreshes = 0;
      return;
    }
    if (this.retry || this.stopped) return;
    const delay = Math.min(RETRY_FIRST_MS * 2 ** this.failedRefreshes++, CHECK_INTERVAL_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.refresh();
    }, delay);
    this.retry.unref();
  }

  /** The responder for a CertID's issuer lookup key, while its certificate is well within validity. */
  find(issuerLookupKey: string): DelegatedAuthority | undefined {
    const a = this.byIssuerKey.get(issuerLookupKey);
    return a && a.notAfter - END_MARGIN_MS > Date.now() ? a : undefined;
  }

  /** Forget one CA's responder (the cert-service said the CA is revoked); a refresh under way installs nothing it read before. */
  drop(caId: string): void {
    if (!this.byCa.has(caId)) return;
    this.epoch++;
    this.install(new Map([...this.byCa].filter(([id]) => id !== caId)));
  }

  private dropAll(): void {
    this.epoch++;
    this.install(new Map());
    if (this.enabled) void this.refresh();
  }

  /** One at a time; asked for during one (a CA change), another runs after it. */
  refresh(): Promise<void> {
    return this.refreshes.run();
  }

  /** True when every usable issuing CA has a responder (or a CA change made another refresh follow). */
  private async refreshOnce(): Promise<boolean> {
    const epoch = this.epoch;
    let complete = true;
    const cas = await this.asGateway('ocsp-delegate', () => this.rpc.call<CaView[]>(Subjects.cert.caList, {}));
    const next = new Map<string, DelegatedAuthority>();
    for (const view of cas) {
      if (view.role !== 'issuing' || view.revokedAt) continue;
      const caCertificate = Buffer.from(decodePem(view.certificatePem, 'CERTIFICATE').der);
      const current = this.byCa.get(view.caId);
      if (current && current.caCertificate.equals(caCertificate) && current.renewAt > Date.now()) {
        next.set(view.caId, current);
        continue;
      }
      try {
        next.set(view.caId, await this.certify(view.caId, caCertificate));
      } catch (e) {
        // Kept while still valid: a renewal failing for a while must not stop local signing.
        if (current && current.caCertificate.equals(caCertificate) && current.notAfter - END_MARGIN_MS > Date.now()) next.set(view.caId, current);
        else complete = false;
        this.logger.warn({ caId: view.caId, err: (e as Error).message }, 'OCSP: no delegated responder certificate for this CA');
      }
      if (epoch !== this.epoch) return true;
    }
    if (epoch === this.epoch) this.install(next);
    return complete;
  }

  private async certify(caId: string, caCertificate: Buffer): Promise<DelegatedAuthority> {
    // The same algorithm as the issuing CA's own key (and its cert-service OCSP signer's).
    const algorithm = describePublicKey(certificateFields(caCertificate, 'caCertificate').spki).algorithm;
    if (!algorithm) throw new Error(`unsupported key algorithm of ${caId}`);
    // One gateway process: the pool signs on the second core while the event loop goes on. Several
    // workers: each core already runs one, and a hand-off to a pool thread and back only adds
    // waiting (docs/benchmarks.md "Session 9").
    const signer = await generateEphemeralSigner(algorithm, { signOn: this.config.GATEWAY_WORKERS > 1 ? 'caller' : 'pool' });
    const reply = await this.asGateway('ocsp-delegate', () =>
      this.rpc.call<OcspDelegateReply>(Subjects.cert.ocspDelegate, { caId, spkiBase64: Buffer.from(signer.spki).toString('base64') }),
    );
    const certificate = new Uint8Array(Buffer.from(reply.certificateBase64, 'base64'));
    // Throws if the certificate is not for this key: caught at renewal, never at answer time.
    const builder = new OcspResponseBuilder({ signer, certificates: [certificate] });
    const issuedBy = Buffer.from(reply.caCertificateBase64, 'base64');
    if (!issuedBy.equals(caCertificate)) throw new Error(`${caId} was re-keyed while certifying; asked again at the next check`);
    const notAfter = new Date(reply.notAfter).getTime();
    const now = Date.now();
    // Not used unless recorded: a responder certificate nobody can find later must sign nothing (the
    // refresh keeps the current one or none; nonce answers then go to the cert-service).
    await this.audit.append({ action: 'ocsp.delegated-responder.issued', target: caId, outcome: 'success', actor: 'gateway', details: { serial: reply.serial, notAfter: reply.notAfter, keyFingerprint: publicKeyFingerprint(signer.spki) } });
    this.logger.info({ caId, serial: reply.serial, notAfter: reply.notAfter }, 'OCSP: delegated responder certificate in use');
    return { caId, builder, certificate, caCertificate, notAfter, renewAt: now + (notAfter - now) / 2 };
  }

  private install(byCa: Map<string, DelegatedAuthority>): void {
    const byIssuerKey = new Map<string, DelegatedAuthority>();
    for (const a of byCa.values()) for (const k of ocspIssuerKeys(new Uint8Array(a.caCertificate))) byIssuerKey.set(k.lookupKey, a);
    this.byCa = byCa;
    this.byIssuerKey = byIssuerKey;
  }

  /** The gateway asks on its own behalf, not a caller's. */
  private asGateway<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
    return requestContext.run({ requestId, actor: 'gateway', operations: [], regions: [NATIONAL_SCOPE] }, fn);
  }
}
