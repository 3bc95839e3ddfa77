import type { EntityManager } from 'typeorm';
import { CertificateEntity } from '../certificates/certificate.entity';
import { SealMakerSignatureEntity } from './seal-maker-signature.entity';

export type SealProvenance = { ok: true; row: SealMakerSignatureEntity } | { ok: false; problem: string };

/**
 * Whether the maker signed exactly this SES_SealInfo (by SHA-256) for this certificate, on the
 * record and with a provenance that holds: a 'create' inside a gateway request (its token hash
 * recorded), or a 'renewal' of a certificate that replaces one which already had a seal signed
 * before it. A seal the maker key signed off the record, for another certificate, or through a
 * renewal nobody can trace to an earlier seal is not one ecert made.
 */
export async function sealProvenance(m: EntityManager, certificate: Pick<CertificateEntity, 'serial' | 'replaces'>, esId: string, sealInfoSha256: string): Promise<SealProvenance> {
  const rows = await m.find(SealMakerSignatureEntity, { where: { certificateSerial: certificate.serial, esId, sealInfoSha256 }, order: { at: 'ASC' } });
  if (!rows.length) return { ok: false, problem: `the seal maker never signed seal ${esId} (these bytes) for certificate ${certificate.serial}` };
  for (const row of rows) {
    if (row.purpose === 'create' && row.gatewayRequest) return { ok: true, row };
    if (row.purpose === 'renewal' && certificate.replaces && (await earlierSealOf(m, certificate.replaces, row.at))) return { ok: true, row };
  }
  return { ok: false, problem: `seal ${esId} was signed for certificate ${certificate.serial} without a traceable request (no gateway request, no earlier seal of the certificate it renews)` };
}

/** Whether the maker signed a seal for `serial` before `before` (a renewal's predecessor). */
export async function earlierSealOf(m: EntityManager, serial: string, before = new Date()): Promise<boolean> {
  const n = await m
    .createQueryBuilder(SealMakerSignatureEntity, 's')
    .where('s.certificate_serial = :serial', { serial })
    .andWhere('s.at <= :before', { before })
    .getCount();
  return n > 0;
}
