import { describePublicKey } from './public-key-info';
import { OID } from './algorithms';
import { verifySignature } from './signature-verifier';

/** The scheme a UKey signs a challenge with for its key: SM2/SM3 (standard user ID), ECDSA with SHA-256/384, RSA PKCS#1 v1.5 SHA-256. */
export function possessionSignatureOid(spki: Uint8Array): string {
  const k = describePublicKey(spki);
  if (k.family === 'sm2') return OID.sm2WithSm3;
  if (k.family === 'ecdsa') return k.algorithm === 'EC-P384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha256;
  return OID.sha256WithRsa;
}

/**
 * Whether `signature` over the challenge bytes verifies with `spki`: proof that whoever answers
 * holds the key (a login, a UKey's PIN reset). Malformed signatures are simply false.
 */
export function possessionSignatureValid(spki: Uint8Array, challenge: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifySignature({ spki, signatureAlgorithmOid: possessionSignatureOid(spki), data: challenge, signature });
  } catch {
    return false;
  }
}
