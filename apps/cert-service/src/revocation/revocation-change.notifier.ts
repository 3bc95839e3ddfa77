import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { OCSP_INVALIDATION_MAX_SERIALS, Subjects, type OcspInvalidation } from '@ecert/contracts';
import { LOGGER, NATS_CONNECTION } from '@ecert/messaging';
import { CrlScheduler } from './crl-scheduler.service';
import { OcspResponder } from '../ocsp/ocsp-responder.service';

/**
 * What must happen once a status change has committed: cached OCSP answers for the serials are
 * dropped here and in every gateway, and new CRLs are issued. The change's reply waits for the
 * OCSP part (so a client that freezes and then asks OCSP sees the freeze), not for the CRLs.
 */
@Injectable()
export class RevocationChangeNotifier {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly crls: CrlScheduler,
    private readonly ocsp: OcspResponder,
  ) {}

  /** `casChanged`: a CA certificate was revoked or replaced; other instances reload their CAs. */
  async changed(caIds: string[], serials: string[], addsEntries = true, casChanged = false): Promise<void> {
    this.ocsp.invalidate(serials);
    try {
      // In parts: one message of a big chunk's serials would exceed max_payload and be refused.
      for (let i = 0; i === 0 || i < serials.length; i += OCSP_INVALIDATION_MAX_SERIALS) {
        const msg: OcspInvalidation = { serials: serials.slice(i, i + OCSP_INVALIDATION_MAX_SERIALS), ...(casChanged ? { casChanged } : {}) };
        this.nc.publish(Subjects.cert.ocspInvalidate, JSON.stringify(msg));
      }
      // Bounded: with NATS down the change has still committed and must be answered; the client
      // library sends the buffered broadcast once it reconnects.
      await Promise.race([this.nc.flush(), new Promise((r) => setTimeout(r, 250))]);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'could not broadcast OCSP invalidation');
    }
    for (const caId of new Set(caIds)) void this.crls.requestAfterChange(caId, addsEntries);
  }
}
