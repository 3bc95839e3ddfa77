import { OID, type KeyAlgorithm } from './algorithms';

/**
 * The signature AlgorithmIdentifier OID each ecert key algorithm signs with (see Signer.sign):
 * SM2-with-SM3, ECDSA with the curve's matching SHA-2, RSA PKCS#1 v1.5 with SHA-256.
 */
export function signatureAlgorithmOidFor(algorithm: KeyAlgorithm): string {
  switch (algorithm) {
    case 'SM2':
      return OID.sm2WithSm3;
    case 'EC-P256':
      return OID.ecdsaWithSha256;
    case 'EC-P384':
      return OID.ecdsaWithSha384;
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return OID.sha256WithRsa;
  }
}
