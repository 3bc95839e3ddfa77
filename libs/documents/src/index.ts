// The document store: uploaded bytes (materials, documents to seal) kept by their SHA-256, and the
// content checks every service runs on a material it reads. No Nest, no database.
export * from './document-id';
export * from './document-store';
export * from './document-store-errors';
export * from './file-document-store';
export * from './material-rejected-error';
export * from './material-inspector';
export * from './declared-type-checker';
export { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from './image-limits';
export { inspectPdf, pdfHeaderOffset } from './pdf/pdf-inspector';
export { inspectPng, isPng, PNG_SIGNATURE } from './png-inspector';
export { inspectJpeg, isJpeg } from './jpeg-inspector';
