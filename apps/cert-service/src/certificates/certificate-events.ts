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
    ...(c.ukeySerial ? { ukeySerial: c.ukeySerial } : {}),
  };
}

/**
 * A certificate's version: how many lifecycle steps it has had (its history rows, 1 at issue).
 * Steps of one certificate serialise on its row lock and write their history row before their
 * event, so the version grows by one per step in the order the steps committed; consumers use it
 * to apply events in that order whatever order they are delivered in.
 */
export async function certificateVersion(manager: EntityManager, serial: string): Promise<number> {
  const rows: { n: number }[] = await manager.query('SELECT count(*)::int AS n FROM "cert"."certificate_history" WHERE serial = $1', [serial]);
  return rows[0]?.n ?? 0;
}

/** Writes a certificate event into the outbox of the transaction that made the change. */
export async function recordCertificateEvent(
  manager: EntityManager,
  type: 'certificate.issued' | 'certificate.frozen' | 'certificate.unfrozen' | 'certificate.revoked' | 'certificate.renewed',
  c: CertificateEntity,
  extra: Record<string, unknown> = {},
) {
  const version = await certificateVersion(manager, c.serial);
  return appendEvent(manager, type, c.serial, { ...certificateEventData(c), version, ...extra });
}

