/**
 * Where SoftKeyStore keeps its encrypted key blobs. The cert-service implements this over a
 * PostgreSQL table (id text primary key, blob bytea); the library ships an in-memory and a
 * directory-of-files implementation. Blobs are opaque, self-describing and already encrypted and
 * authenticated, so a repository needs no extra protection beyond ordinary access control.
 */
export interface KeyBlobRepository {
  /** Undefined when there is no blob for `id`. */
  get(id: string): Promise<Uint8Array | undefined>;
  /**
   * Stores a new blob. Must refuse to replace an existing one (throw KeyAlreadyExistsError, or
   * let a primary-key violation surface): key blobs are write-once.
   */
  put(id: string, blob: Uint8Array): Promise<void>;
  /** Ids of all stored blobs, when the backend can enumerate them. */
  list?(): Promise<string[]>;
}
