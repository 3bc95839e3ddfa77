import type { CaView, RevokedCaCertificateView } from '@ecert/contracts';
import { serialKey } from '@ecert/pki';
import type { ParsedCertificate } from '@ecert/ses';
import { pemToDer } from './seal-factory.service';

/**
 * Reasons that put the key itself out: no date a seal states can be believed after them. A
 * revocation without a stated reason (unspecified) counts as one: the holder of the key could
 * otherwise backdate createDate past it.
 */
const KEY_OUT = new Set(['keyCompromise', 'cACompromise', 'unspecified']);

interface Revocation {
  issuer: CaView;
  entry: Pick<RevokedCaCertificateView, 'serial' | 'revokedAt' | 'revocationReason'>;
}

/**
 * The revocation check of ecert's seal-maker lists (SealMakerTrustList.revoked): a path is revoked
 * when the maker certificate or a CA certificate on it is one the cert-service revoked
 * (`revokedCertificates` of its issuer in the CA list; a CA shown revoked counts too). Always for
 * keyCompromise and cACompromise: whoever holds the key can write any createDate. For other
 * reasons (superseded, cessationOfOperation …) the key stayed ecert's, so a seal made before the
 * revocation (createDate earlier) still stands; one made at or after it, or without a date, does not.
 */
export function caRevocationCheck(cas: readonly CaView[], createDate: Date | undefined): (path: readonly ParsedCertificate[]) => string | undefined {
  const byDer = new Map<string, CaView>();
  const revocations = new Map<string, Revocation>();
  for (const ca of cas) {
    byDer.set(Buffer.from(pemToDer(ca.certificatePem)).toString('hex'), ca);
    for (const entry of ca.revokedCertificates ?? []) revocations.set(`${ca.caId}:${entry.serial}`, { issuer: ca, entry });
  }
  return (path) => {
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      const issuer = byDer.get(Buffer.from(path[i + 1]!.der).toString('hex'));
      const listed = issuer ? revocations.get(`${issuer.caId}:${keyOf(cert.serialNumberHex)}`) : undefined;
      // A CA certificate shown revoked in the list itself (an issuing CA stays so until re-keyed).
      const self = byDer.get(Buffer.from(cert.der).toString('hex'));
      const r = listed ?? (self?.revokedAt && issuer ? { issuer, entry: { serial: self.serial, revokedAt: self.revokedAt, revocationReason: self.revocationReason ?? 'unspecified' } } : undefined);
      if (!r) continue;
      const why = applies(r, createDate);
      if (why) return `${i === 0 ? 'the seal-maker certificate' : 'CA certificate'} "${cert.subject}" (serial ${r.entry.serial}) was revoked by ${r.issuer.caId} at ${r.entry.revokedAt} (${r.entry.revocationReason}); ${why}`;
    }
    return undefined;
  };
}

/** Why the revocation strikes this seal, or undefined when the seal predates a revocation that leaves older seals standing. */
function applies(r: Revocation, createDate: Date | undefined): string | undefined {
  if (KEY_OUT.has(r.entry.revocationReason)) return 'its key is compromised, so no seal made under it can be told from a forgery, whatever date it states';
  if (!createDate || Number.isNaN(createDate.getTime())) return 'the seal states no creation date before that';
  if (createDate.getTime() >= new Date(r.entry.revokedAt).getTime()) return `the seal was made at ${createDate.toISOString()}, after that`;
  return undefined;
}

function keyOf(serialHex: string): string {
  try {
    return serialKey(serialHex);
  } catch {
    return serialHex;
  }
}
