export type { KeyStore, StoredKeyInfo } from './key-store';
export * from './key-store-errors';
export type { KeyBlobRepository } from './key-blob-repository';
export { InMemoryKeyBlobRepository } from './in-memory-key-blob-repository';
export { DirectoryKeyBlobRepository } from './directory-key-blob-repository';
export { DEFAULT_SCRYPT, type ScryptParams } from './key-blob-codec';
export { SoftKeyStore, generateEphemeralSigner, type SignOn, type SoftKeyStoreOptions } from './soft-key-store';
export { Pkcs11KeyStore, type Pkcs11KeyStoreOptions } from './pkcs11-key-store';
