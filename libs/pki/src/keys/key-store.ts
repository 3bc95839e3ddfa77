import type { KeyAlgorithm } from '../crypto/algorithms';
import type { Signer } from '../crypto/signer';

export interface StoredKeyInfo {
  /** Stable id the CA records refer to (a label in PKCS#11, a row id in the soft store). */
  readonly id: string;
  readonly algorithm: KeyAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

/**
 * One interface, two homes for private keys: an encrypted software store (the default) and a
 * PKCS#11 token (SoftHSM2 in development, an HSM in production). Private key material never
 * leaves an implementation through this interface.
 */
export interface KeyStore {
  readonly kind: 'soft' | 'pkcs11';
  /** Algorithms this store can generate and sign with. */
  supports(algorithm: KeyAlgorithm): boolean;
  generate(id: string, algorithm: KeyAlgorithm): Promise<StoredKeyInfo>;
  /** Undefined when no key has that id. */
  find(id: string): Promise<StoredKeyInfo | undefined>;
  signer(id: string): Promise<Signer>;
  close(): Promise<void>;
}
