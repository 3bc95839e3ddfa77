/**
 * Typed errors of the crypto layer. Callers branch on `code` (stable) rather than on messages,
 * which are meant for people (RA operators, logs).
 */
export type CryptoErrorCode =
  | 'UNSUPPORTED_ALGORITHM'
  | 'KEY_ALGORITHM_MISMATCH'
  | 'INVALID_KEY'
  | 'UNACCEPTABLE_KEY';

export abstract class CryptoError extends Error {
  abstract readonly code: CryptoErrorCode;
}

/** A signature algorithm (or its parameters, or a key type) this code does not implement. */
export class UnsupportedAlgorithmError extends CryptoError {
  readonly code = 'UNSUPPORTED_ALGORITHM' as const;
  override readonly name = 'UnsupportedAlgorithmError';
}

/** The key cannot have made a signature of the claimed algorithm (e.g. SM2-with-SM3 on an RSA key). */
export class KeyAlgorithmMismatchError extends CryptoError {
  readonly code = 'KEY_ALGORITHM_MISMATCH' as const;
  override readonly name = 'KeyAlgorithmMismatchError';
}

/** Undecodable key encoding, point not on its curve, private scalar out of range. */
export class InvalidKeyError extends CryptoError {
  readonly code = 'INVALID_KEY' as const;
  override readonly name = 'InvalidKeyError';
}

/** A well-formed key that ecert's subscriber key policy refuses; `message` says why. */
export class UnacceptableKeyError extends CryptoError {
  readonly code = 'UNACCEPTABLE_KEY' as const;
  override readonly name = 'UnacceptableKeyError';
}
