/**
 * Failures of a document store. Callers branch on `code` (stable); messages name the id, never
 * a filesystem path (the store's layout is its own business and paths leak into problem details).
 */
export type DocumentStoreErrorCode = 'document_id_invalid' | 'document_not_found' | 'document_integrity' | 'document_too_large';

export abstract class DocumentStoreError extends Error {
  abstract readonly code: DocumentStoreErrorCode;
}

/** Not 64 lowercase hex digits: refused before the filesystem is touched (no `../` ever reaches a path). */
export class InvalidDocumentIdError extends DocumentStoreError {
  override readonly name = 'InvalidDocumentIdError';
  readonly code = 'document_id_invalid';

  constructor(readonly id: string) {
    super(`not a document id (64 lowercase hex digits of a SHA-256): ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)}`);
  }
}

export class DocumentNotFoundError extends DocumentStoreError {
  override readonly name = 'DocumentNotFoundError';
  readonly code = 'document_not_found';

  constructor(readonly id: string) {
    super(`no document ${id} in the store`);
  }
}

/** The stored bytes no longer hash to their id: changed or damaged on disk. Never served. */
export class DocumentIntegrityError extends DocumentStoreError {
  override readonly name = 'DocumentIntegrityError';
  readonly code = 'document_integrity';

  constructor(
    readonly id: string,
    readonly actualSha256: string,
  ) {
    super(`document ${id} is damaged or was changed in the store: its bytes hash to ${actualSha256}`);
  }
}

export class DocumentTooLargeError extends DocumentStoreError {
  override readonly name = 'DocumentTooLargeError';
  readonly code = 'document_too_large';

  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`document of ${size} bytes is over the store's limit of ${maxBytes} bytes`);
  }
}
