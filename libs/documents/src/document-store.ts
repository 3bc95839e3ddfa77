/**
 * Where large bytes live (materials of applications, PDFs to seal): they never ride in a NATS
 * message or JSON body, only their id does. Content-addressed, so an id names exactly one content
 * and whoever reads it can tell whether it got that content. Files today (`FileDocumentStore`),
 * an object store later behind the same interface.
 */
export interface DocumentStore {
  /** Stores the bytes under their id (lowercase hex SHA-256); storing the same bytes again changes nothing. */
  put(bytes: Uint8Array): Promise<StoredDocument>;
  /**
   * The bytes of `sha256`, re-hashed on read: `DocumentIntegrityError` if they no longer match,
   * `DocumentNotFoundError` if absent, `InvalidDocumentIdError` for anything but an id.
   */
  get(sha256: string): Promise<Uint8Array>;
  has(sha256: string): Promise<boolean>;
  /** Size as stored, without reading or checking the bytes; undefined if absent. */
  stat(sha256: string): Promise<DocumentStat | undefined>;
  /**
   * Removes the content (retention). Whoever calls it must know no record still uses the id: one
   * content may be several things at once. false when it was not there.
   */
  remove(sha256: string): Promise<boolean>;
}

export interface StoredDocument {
  sha256: string;
  size: number;
}

export interface DocumentStat {
  size: number;
}
