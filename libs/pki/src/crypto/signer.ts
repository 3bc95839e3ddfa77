import type { KeyAlgorithm } from './algorithms';

/**
 * Something that signs with one private key. CA code builds structures (certificates, CRLs,
 * OCSP responses, seals) and only ever calls `sign`; where the key lives (encrypted software
 * store, PKCS#11 token) is the key store's business.
 */
export interface Signer {
  readonly algorithm: KeyAlgorithm;
  /** Signature AlgorithmIdentifier OID that goes beside the signature (e.g. 1.2.156.10197.1.501). */
  readonly signatureAlgorithmOid: string;
  /** DER SubjectPublicKeyInfo of the signing key. */
  readonly spki: Uint8Array;
  /**
   * Sign `data` (the to-be-signed bytes, not a digest): SM2 = SM3(Z(ID 1234567812345678) || data),
   * ECDSA P-256 = SHA-256, P-384 = SHA-384, RSA = PKCS#1 v1.5 with SHA-256.
   * Returns the value that goes into the BIT STRING: DER SEQUENCE{r,s} for SM2/ECDSA, raw for RSA.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
