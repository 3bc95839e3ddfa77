import { Inject, Injectable } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { CONFIG } from '@ecert/messaging';
import { parseCertificate, validateCertificatePath, type ParsedCertificate } from '@ecert/ses';
import { loadForeignMakerAnchors } from '../seals/seal-maker-trust';

/** id-kp-timeStamping (RFC 3161 §2.3): a TSA certificate must carry it, as its only purpose, critical. */
const ID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const ID_CE_EXT_KEY_USAGE = '2.5.29.37';
const SIGN_USAGES = 1 | 2; // KeyUsageFlags.digitalSignature | nonRepudiation

export interface TimestampJudgement {
  trusted: boolean;
  detail: string;
}

/**
 * The revocation status of a certificate of the chain that ecert itself issued, when it is one
 * (the caller asks the cert-service): revoked (at any time) means no proof; undefined = not ecert's.
 */
export type TsaStatusLookup = (path: readonly ParsedCertificate[]) => Promise<{ revoked: boolean; detail: string } | undefined>;

/** Why a certificate may not sign timestamps (RFC 3161 §2.3), or undefined when it may. */
export function tsaCertificateProblem(c: ParsedCertificate): string | undefined {
  const eku = c.extendedKeyUsage;
  if (!eku || eku.length !== 1 || eku[0] !== ID_KP_TIME_STAMPING) return `the certificate of "${c.subject}" is not for time-stamping only (its extendedKeyUsage must be exactly id-kp-timeStamping; it is ${eku?.length ? eku.join(', ') : 'absent'})`;
  if (!c.criticalExtensions.includes(ID_CE_EXT_KEY_USAGE)) return `the certificate of "${c.subject}" has id-kp-timeStamping in a non-critical extendedKeyUsage (RFC 3161 §2.3 wants it critical)`;
  if (c.keyUsage !== undefined && !(c.keyUsage & SIGN_USAGES)) return `the keyUsage of "${c.subject}" allows neither digitalSignature nor nonRepudiation`;
  return undefined;
}

/**
 * Which TSAs' timestamps are proof of existence for verification (ECERT_TSA_TRUST, read once at
 * start; a configured path without a certificate stops the service). A token is proof when its
 * TSA certificate is for time-stamping only (tsaCertificateProblem), its chain reaches one of
 * those anchors (or it is one) with every certificate valid at the token's genTime, and no
 * certificate of that chain ecert issued is revoked (asked of the cert-service through `status`).
 * Anchors and TSA certificates from elsewhere are trusted without revocation checks (no CRL or
 * OCSP is fetched): configuring an anchor is trusting its TSAs, and removing it is how one stops.
 * Without anchors no timestamp proves anything — it is reported only.
 */
@Injectable()
export class TimestampTrust {
  private readonly anchors: readonly Uint8Array[];

  constructor(@Inject(CONFIG) config: Pick<EcertConfig, 'ECERT_TSA_TRUST'>) {
    this.anchors = loadForeignMakerAnchors(config.ECERT_TSA_TRUST, 'ECERT_TSA_TRUST');
  }

  async judge(tsaCertificate: Uint8Array | undefined, certificates: readonly Uint8Array[], genTime: Date, status?: TsaStatusLookup): Promise<TimestampJudgement> {
    if (!this.anchors.length) return { trusted: false, detail: 'no TSA is trusted for proof of existence (ECERT_TSA_TRUST is empty)' };
    if (!tsaCertificate) return { trusted: false, detail: 'the timestamp carries no TSA certificate' };
    let c: ParsedCertificate;
    try {
      c = parseCertificate(tsaCertificate);
    } catch (e) {
      return { trusted: false, detail: `the TSA certificate cannot be read: ${(e as Error).message}` };
    }
    const problem = tsaCertificateProblem(c);
    if (problem) return { trusted: false, detail: problem };
    const path = validateCertificatePath({ certificate: tsaCertificate, trustAnchors: this.anchors, intermediates: certificates, at: genTime });
    if (path.result !== 'passed') return { trusted: false, detail: `TSA "${c.subject}" is not trusted: ${path.detail}` };
    const known = await status?.(path.path);
    if (known?.revoked) return { trusted: false, detail: `TSA "${c.subject}" is not trusted: ${known.detail}` };
    return { trusted: true, detail: `TSA "${c.subject}" is trusted (ECERT_TSA_TRUST)${known ? `; ${known.detail}` : ''}` };
  }
}
