// PDF structure, incremental signature updates, placement and text positions: no Nest, no database.
export { PdfError, type PdfErrorCode } from './pdf-error';
export { readPdfPages, type PdfPageInfo } from './pdf-page-reader';
export type { PagePlacement, SlicedPlacement } from './page-placement';
export { crossPagePlacements, type CrossPageOptions } from './cross-page-placement-planner';
export { prepareSignature, type PrepareSignatureOptions, type PreparedSignature } from './signature-preparer';
export { signedChunks } from './signed-chunks-reader';
export { embedSignature } from './signature-embedder';
// Shared with @ecert/documents' content checks: one stream decoder for both.
export { decodePdfStream, PdfStreamDecodeError, type DecodeBudget, type StreamDictionary } from './pdf-stream-decoder';
export { readPdfSignatures, type PdfSignatureInfo, type LaterRevision } from './signature-reader';
export type { RevisionChange } from './revision-change-checker';
export { findTextPlacements, type TextPlacementOptions } from './text-placement-finder';
/** A page's size as displayed (rotation applied), in mm: for checking a placement lies on it. */
export { displayedSizeMm } from './page-geometry-mapper';
