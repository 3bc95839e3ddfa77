import { Inject, Injectable } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { CONFIG } from '@ecert/messaging';
import { parseCertificate, validateCertificatePath } from '@ecert/ses';
import { loadForeignMakerAnchors } from '../seals/seal-maker-trust';

/** id-kp-timeStamping (RFC 3161 §2.3): a TSA certificate must carry it, as its only purpose. */
const ID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

export interface TimestampJudgement {
  trusted: boolean;
  detail: string;
}

/**
 * Which TSAs' timestamps are proof of existence for verification (ECERT_TSA_TRUST, read once at
 * start; a configured path without a certificate stops the service): the TSA certificate must
 * chain to one of those anchors (or be one) at the timestamp's genTime and carry
 * id-kp-timeStamping. Without anchors no timestamp proves anything — it is reported only.
 */
@Injectable()
export class TimestampTrust {
  private readonly anchors: readonly Uint8Array[];

  constructor(@Inject(CONFIG) config: EcertConfig) {
    this.anchors = loadForeignMakerAnchors(config.ECERT_TSA_TRUST, 'ECERT_TSA_TRUST');
  }

  judge(tsaCertificate: Uint8Array | undefined, certificates: readonly Uint8Array[], genTime: Date): TimestampJudgement {
    if (!this.anchors.length) return { trusted: false, detail: 'no TSA is trusted for proof of existence (ECERT_TSA_TRUST is empty)' };
    if (!tsaCertificate) return { trusted: false, detail: 'the timestamp carries no TSA certificate' };
    let subject: string;
    let eku: readonly string[] | undefined;
    try {
      const c = parseCertificate(tsaCertificate);
      subject = c.subject;
      eku = c.extendedKeyUsage;
    } catch (e) {
      return { trusted: false, detail: `the TSA certificate cannot be read: ${(e as Error).message}` };
    }
    if (!eku?.includes(ID_KP_TIME_STAMPING)) return { trusted: false, detail: `the certificate of "${subject}" is not for time-stamping (no id-kp-timeStamping)` };
    const path = validateCertificatePath({ certificate: tsaCertificate, trustAnchors: this.anchors, intermediates: certificates, at: genTime });
    return path.result === 'passed' ? { trusted: true, detail: `TSA "${subject}" is trusted (ECERT_TSA_TRUST)` } : { trusted: false, detail: `TSA "${subject}" is not trusted: ${path.detail}` };
  }
}
