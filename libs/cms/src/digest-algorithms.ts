import { derOid, derSequence } from '@ecert/pki';
import { CMS_OID } from './cms-oids';
import type { CmsDigestAlgorithm } from './cms-types';

/** Digest names ↔ OIDs, and each digest's output size (to catch a caller's wrong algorithm early). */
export const DIGEST_ALGORITHMS: Readonly<Record<CmsDigestAlgorithm, { oid: string; size: number }>> = {
  sha256: { oid: CMS_OID.sha256, size: 32 },
  sha384: { oid: CMS_OID.sha384, size: 48 },
  sha512: { oid: CMS_OID.sha512, size: 64 },
  sm3: { oid: CMS_OID.sm3, size: 32 },
};

const BY_OID: ReadonlyMap<string, CmsDigestAlgorithm> = new Map(
  Object.entries(DIGEST_ALGORITHMS).map(([name, { oid }]) => [oid, name as CmsDigestAlgorithm]),
);

export function digestAlgorithmFromOid(oid: string): CmsDigestAlgorithm | undefined {
  return BY_OID.get(oid);
}

/**
 * DER AlgorithmIdentifier without parameters: RFC 5754 §2 says SHA-2 identifiers MUST be written
 * with absent parameters; ecert does the same for SM3 (GM/T 0010 examples vary; readers accept both).
 */
export function digestAlgorithmIdentifierDer(algorithm: CmsDigestAlgorithm): Uint8Array {
  return derSequence(derOid(DIGEST_ALGORITHMS[algorithm].oid));
}
