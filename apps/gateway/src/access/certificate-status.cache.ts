import { Injectable } from '@nestjs/common';
import { NATIONAL_SCOPE, ProblemError, requestContext } from '@ecert/common';
import { Subjects, type CertificateView } from '@ecert/contracts';
import { serialKey } from '@ecert/pki';
import { RpcClient } from '../rpc/rpc-client.service';
import { OcspCache } from '../pki/ocsp-cache.service';

/** An answer is re-asked after this long even if no invalidation arrived (a missed broadcast). */
const MAX_AGE_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Whether a staff member's login certificate may still be used, asked of the cert-service once
 * and then kept until the cert-service's status-change broadcast (the one that drops cached OCSP
 * answers) names the serial: a freeze or revocation ends the staff token on its next request, and
 * so does the revocation of its issuing CA (that broadcast says the CAs changed: everything goes).
 */
@Injectable()
export class CertificateStatusCache {
  private readonly entries = new Map<string, { usable: boolean; at: number }>();
  /** Bumped by every invalidation: an answer asked before one is not kept. */
  private generation = 0;

  constructor(
    private readonly rpc: RpcClient,
    private readonly ocsp: OcspCache,
  ) {
    ocsp.onInvalidate((serials) => {
      this.generation++;
      if (!serials) this.entries.clear();
      else for (const s of serials) this.entries.delete(serialKey(s));
    });
  }

  async usable(serial: string): Promise<boolean> {
    const key = serialKey(serial);
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit.usable;
    const generation = this.generation;
    const ctx = requestContext.getStore();
    // The gateway asks on its own behalf (reading a status is not the staff member's request).
    const view = await requestContext
      .run({ requestId: ctx?.requestId ?? 'staff-certificate', actor: 'gateway', operations: ['certificates:read'], regions: [NATIONAL_SCOPE] }, () =>
        this.rpc.call<CertificateView>(Subjects.cert.get, { serial }),
      )
      .catch((e: unknown) => {
        if (e instanceof ProblemError && e.status === 404) return undefined;
        throw e;
      });
    // A certificate under a revoked issuing CA keeps status 'active' on its row: the CA's revocation ends it too.
    const usable = !!view && view.status === 'active' && !view.issuerRevoked && new Date(view.notAfter).getTime() > Date.now();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    if (generation === this.generation && this.ocsp.listening()) this.entries.set(key, { usable, at: Date.now() });
    return usable;
  }
}
