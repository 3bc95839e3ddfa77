import type { EntityManager } from 'typeorm';
import type { CertificateEventData } from '@ecert/contracts';
import { appendEvent } from '@ecert/messaging';
import { effectiveStatus } from '@ecert/pki';
import type { CertificateEntity } from './certificate.entity';

export function certificateEventData(c: CertificateEntity): CertificateEventData {
  return {
    serial: c.serial,
    caId: c.caId,
    profile: c.profile,
    uscc: c.uscc,
    accountNo: c.accountNo,
    regionCode: c.regionCode,
    status: effectiveStatus(c.status, c.notAfter),
    notAfter: c.notAfter.toISOString(),
  };
}

/** Writes a certificate event into the outbox of the transaction that made the change. */
export function recordCertificateEvent(
  manager: EntityManager,
  type: 'certificate.issued' | 'certificate.frozen' | 'certificate.unfrozen' | 'certificate.revoked' | 'certificate.renewed',
  c: CertificateEntity,
  extra: Record<string, unknown> = {},
) {
  return appendEvent(manager, type, c.serial, { ...certificateEventData(c), ...extra });
}
