export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const GATEWAY_LOGGER = Symbol('GATEWAY_LOGGER');
export const GATEWAY_DATA_SOURCE = Symbol('GATEWAY_DATA_SOURCE');
export const GATEWAY_REDIS = Symbol('GATEWAY_REDIS');
/** The document store (`DocumentStore` of @ecert/documents): material bytes, kept by their SHA-256. */
export const GATEWAY_DOCUMENT_STORE = Symbol('GATEWAY_DOCUMENT_STORE');
/** The document store as documents to seal use it: the same volume, DOCUMENT_MAX_BYTES as its limit. */
export const GATEWAY_PDF_STORE = Symbol('GATEWAY_PDF_STORE');
