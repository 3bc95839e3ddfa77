import type { CertificateRenewedData, CertificateView } from '@ecert/contracts';

/** What a renewal may move seals between: both certificates as the cert-service has them now. */
export interface RenewalFacts {
  readonly event: Partial<CertificateRenewedData> & { oldSerial: string; newSerial: string };
  readonly oldCertificate: CertificateView;
  readonly newCertificate: CertificateView;
  /** Units (USCC) of the live seals bound to the old certificate. */
  readonly sealUnits: readonly string[];
}

/**
 * Why a certificate.renewed event must not give the old certificate's seals successors on the new
 * one, or undefined when it may. The cert-service's own records decide (the new certificate
 * replaces the old one, same unit and account, same profile); the units the event states must
 * agree with them, and so must the seals' unit. Pure: the caller fetched both certificates.
 */
export function renewalRefusal(f: RenewalFacts): string | undefined {
  const { event: e, oldCertificate: o, newCertificate: n } = f;
  const unit = (c: CertificateView) => `${c.unit.uscc}/${c.unit.accountNo}`;
  if (n.serial !== e.newSerial || o.serial !== e.oldSerial) return 'the certificates fetched are not the ones the event names';
  if (n.unit.uscc !== o.unit.uscc || n.unit.accountNo !== o.unit.accountNo) {
    return `new certificate ${n.serial} belongs to unit ${unit(n)}, the old certificate ${o.serial} to ${unit(o)}`;
  }
  if (n.replaces !== o.serial) return `the cert-service does not record certificate ${n.serial} as the renewal of ${o.serial}`;
  if (n.profile !== o.profile) return `new certificate ${n.serial} is a ${n.profile} certificate, the old one a ${o.profile} certificate`;
  const claims: [string, string | undefined, string][] = [
    ['oldUscc', e.oldUscc, o.unit.uscc],
    ['oldAccountNo', e.oldAccountNo, o.unit.accountNo],
    ['newUscc', e.newUscc, n.unit.uscc],
    ['newAccountNo', e.newAccountNo, n.unit.accountNo],
  ];
  for (const [field, claimed, actual] of claims) {
    // Events written before these fields existed lack them; the cert-service's records decided above.
    if (claimed !== undefined && claimed !== actual) return `the event says ${field} ${claimed}, the cert-service has ${actual}`;
  }
  const foreign = f.sealUnits.find((u) => u !== n.unit.uscc);
  if (foreign) return `a seal of unit ${foreign} is bound to the old certificate, the new one belongs to unit ${n.unit.uscc}`;
  return undefined;
}
