// The document store: uploaded bytes (materials, documents to seal) kept by their SHA-256.
export {};
