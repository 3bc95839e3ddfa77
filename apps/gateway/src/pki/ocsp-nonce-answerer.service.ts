import { Inject, Injectable } from '@nestjs/common';
import { NATIONAL_SCOPE, ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import { OCSP_STATUS_MAX_SERIALS, Subjects, type OcspStatusEntry, type OcspStatusReply } from '@ecert/contracts';
import { ServiceMetrics } from '@ecert/messaging';
import { OcspStatusView, ocspAnswerTimes, ocspIssuerLookupKey, type OcspCertStatus, type OcspRequest, type ReasonCode } from '@ecert/pki';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { RpcClient } from '../rpc/rpc-client.service';
import { OcspCache } from './ocsp-cache.service';
import { OcspDelegatedSigners } from './ocsp-delegated-signers.service';

const MAX_VIEW_ENTRIES = 200_000;

/**
 * Answers OCSP requests with a nonce in the gateway: statuses from the gateway's status view
 * (filled from cert.ocsp.status on a miss, emptied by the same invalidations as the nonce-less
 * cache), signed with this gateway's delegated responder key. Anything it does not handle exactly
 * as the cert-service does returns undefined and goes the cert-service's way: no delegated
 * certificate (yet, or disabled), CertIDs of more than one CA or of a CA it has no key for (roots,
 * a revoked issuing CA: unauthorized there), and CA-held certificates (OCSP signer, seal maker).
 */
@Injectable()
export class OcspNonceAnswerer {
  readonly view: OcspStatusView;
  private readonly answered = ServiceMetrics.of('gateway').counter('ecert_ocsp_gateway_signed_total', 'OCSP answers to requests with a nonce signed by the gateway, by status view result (hit, miss)', ['view']);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    private readonly rpc: RpcClient,
    private readonly cache: OcspCache,
    private readonly signers: OcspDelegatedSigners,
  ) {
    this.view = new OcspStatusView({ maxAgeMs: config.OCSP_GATEWAY_STATUS_MAX_AGE_SECONDS * 1000, maxEntries: MAX_VIEW_ENTRIES });
    // The same invalidations as the nonce-less cache: a serial named, or everything (disconnect, CA change).
    cache.onInvalidate((serials) => (serials ? this.view.invalidate(serials) : this.view.clear()));
  }

  /** The signed answer, or undefined when the cert-service must answer. */
  async answer(request: OcspRequest): Promise<Uint8Array | undefined> {
    if (!request.nonce || !this.signers.enabled) return undefined;
    const first = this.signers.find(ocspIssuerLookupKey(request.certIds[0]!) ?? '');
    if (!first) return undefined;
    const serials: string[] = [];
    for (const c of request.certIds) {
      if (!c.serialKey || this.signers.find(ocspIssuerLookupKey(c) ?? '') !== first) return undefined;
      serials.push(c.serialKey);
    }
    if (serials.length > OCSP_STATUS_MAX_SERIALS) return undefined;

    const statuses = new Map<string, OcspCertStatus>();
    const missing: string[] = [];
    for (const s of serials) {
      const kept = this.view.lookup(first.caId, s);
      if (kept) statuses.set(s, kept);
      else missing.push(s);
    }
    if (missing.length) {
      // Taken before asking: an invalidation arriving while the answer travels keeps it out of the view.
      const generation = this.view.generation;
      let reply: OcspStatusReply;
      try {
        reply = await requestContext.run({ requestId: 'ocsp-status', actor: 'gateway', operations: [], regions: [NATIONAL_SCOPE] }, () =>
          this.rpc.call<OcspStatusReply>(Subjects.cert.ocspStatus, { caId: first.caId, serials: [...new Set(missing)] }),
        );
      } catch (e) {
        if (e instanceof ProblemError && e.code === ProblemCode.caRevoked) this.signers.drop(first.caId);
        // Any refusal (a lagging instance's ca_not_found, say): the cert-service's own path answers.
        if (e instanceof ProblemError) return undefined;
        throw e;
      }
      if (reply.statuses.some((s) => s.caHeld)) return undefined;
      const read = reply.statuses.map((s) => [s.serial, certStatusOf(s)] as const);
      this.view.fill(first.caId, read, generation, this.cache.listening());
      for (const [serial, status] of read) statuses.set(serial, status);
    }
    const times = ocspAnswerTimes(new Date(), this.config.OCSP_VALIDITY_MINUTES * 60_000);
    // No answer outlives the certificate of the key that signs it.
    if (times.nextUpdate.getTime() > first.notAfter) times.nextUpdate = new Date(first.notAfter);
    const der = await first.builder.build({
      producedAt: times.producedAt,
      nonce: request.nonce,
      responses: request.certIds.map((certId) => ({ certId, certStatus: statuses.get(certId.serialKey!) ?? UNKNOWN, thisUpdate: times.thisUpdate, nextUpdate: times.nextUpdate })),
    });
    this.answered.inc({ view: missing.length ? 'miss' : 'hit' });
    return der;
  }
}

const UNKNOWN: OcspCertStatus = { status: 'unknown' };

function certStatusOf(s: OcspStatusEntry): OcspCertStatus {
  if (s.status === 'revoked') return { status: 'revoked', revokedAt: new Date(s.revokedAt!), ...(s.reason ? { reason: s.reason as Exclude<ReasonCode, 'removeFromCRL'> } : {}) };
  return s.status === 'good' ? { status: 'good' } : UNKNOWN;
}
