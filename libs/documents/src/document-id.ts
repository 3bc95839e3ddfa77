import { createHash } from 'node:crypto';

/**
 * A document's id is the lowercase hex SHA-256 of its bytes, and nothing else: one spelling per
 * document, so ids compare as strings wherever they are kept (application materials, events).
 * Uppercase is refused rather than normalised, since an id someone re-spelled did not come from
 * `put` and its two spellings would otherwise both name the same material.
 */
export const DOCUMENT_ID_PATTERN = /^[0-9a-f]{64}$/;

export function isDocumentId(id: unknown): id is string {
  return typeof id === 'string' && DOCUMENT_ID_PATTERN.test(id);
}

export function documentIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
