import { createHash } from 'node:crypto';
import { OID, sm3 } from './pki-bridge';

/**
 * The dataHash of TBS_Sign: the hash that belongs to the signature algorithm (SM3 for
 * SM2-with-SM3, as GB/T 38540 requires; SHA-2 for the international algorithms).
 */
const HASHES: Readonly<Record<string, 'sm3' | 'sha256' | 'sha384' | 'sha512'>> = {
  [OID.sm2WithSm3]: 'sm3',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.sha256WithRsa]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.sha384WithRsa]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
  [OID.sha512WithRsa]: 'sha512',
};

export function documentHashAlgorithmFor(signatureAlgorithmOid: string): 'sm3' | 'sha256' | 'sha384' | 'sha512' | undefined {
  return HASHES[signatureAlgorithmOid];
}

/** undefined when the signature algorithm has no known document hash. */
export function hashDocument(signatureAlgorithmOid: string, document: Uint8Array): Uint8Array | undefined {
  const alg = HASHES[signatureAlgorithmOid];
  if (!alg) return undefined;
  if (alg === 'sm3') return sm3(document);
  return new Uint8Array(createHash(alg).update(document).digest());
}
