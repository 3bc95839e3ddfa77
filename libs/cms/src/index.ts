// CMS SignedData for document signatures: PAdES (CAdES detached) and GB/T 35275 (SM2): no Nest, no database.
export {};
