/**
 * Typed key store errors; callers branch on `code`. Messages name the key id but never contain
 * key material or passphrases.
 */
export type KeyStoreErrorCode =
  | 'KEY_NOT_FOUND'
  | 'KEY_EXISTS'
  | 'UNSUPPORTED_KEY_ALGORITHM'
  | 'WRONG_PASSPHRASE'
  | 'CORRUPT_KEY_BLOB'
  | 'INVALID_KEY_ID'
  | 'STORE_CLOSED'
  | 'TOKEN_ERROR';

export abstract class KeyStoreError extends Error {
  abstract readonly code: KeyStoreErrorCode;
}

export class KeyNotFoundError extends KeyStoreError {
  readonly code = 'KEY_NOT_FOUND' as const;
  override readonly name = 'KeyNotFoundError';
  constructor(readonly keyId: string) {
    super(`no key with id "${keyId}"`);
  }
}

/** Generating over an existing id would silently orphan a CA key: always refused. */
export class KeyAlreadyExistsError extends KeyStoreError {
  readonly code = 'KEY_EXISTS' as const;
  override readonly name = 'KeyAlreadyExistsError';
  constructor(readonly keyId: string) {
    super(`a key with id "${keyId}" already exists`);
  }
}

export class UnsupportedKeyAlgorithmError extends KeyStoreError {
  readonly code = 'UNSUPPORTED_KEY_ALGORITHM' as const;
  override readonly name = 'UnsupportedKeyAlgorithmError';
}

/** The passphrase does not open this key (checked separately from the ciphertext's integrity). */
export class WrongPassphraseError extends KeyStoreError {
  readonly code = 'WRONG_PASSPHRASE' as const;
  override readonly name = 'WrongPassphraseError';
  constructor(readonly keyId: string) {
    super(`wrong passphrase for key "${keyId}"`);
  }
}

/** The stored blob is malformed or was altered (authentication failed under the right passphrase). */
export class CorruptKeyBlobError extends KeyStoreError {
  readonly code = 'CORRUPT_KEY_BLOB' as const;
  override readonly name = 'CorruptKeyBlobError';
}

export class InvalidKeyIdError extends KeyStoreError {
  readonly code = 'INVALID_KEY_ID' as const;
  override readonly name = 'InvalidKeyIdError';
}

export class KeyStoreClosedError extends KeyStoreError {
  readonly code = 'STORE_CLOSED' as const;
  override readonly name = 'KeyStoreClosedError';
  constructor() {
    super('key store is closed');
  }
}

/** A PKCS#11 call failed; `ckr` is the CKR_* name when the module reported one. */
export class Pkcs11TokenError extends KeyStoreError {
  readonly code = 'TOKEN_ERROR' as const;
  override readonly name = 'Pkcs11TokenError';
  constructor(
    message: string,
    readonly ckr?: string,
  ) {
    super(message);
  }
}
