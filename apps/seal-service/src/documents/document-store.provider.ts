import type { Provider } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { FileDocumentStore } from '@ecert/documents';
import { CONFIG } from '@ecert/messaging';

/** The document store as the documents use it: the shared volume, with DOCUMENT_MAX_BYTES as its limit. */
export const SEAL_DOCUMENT_STORE = Symbol('SEAL_DOCUMENT_STORE');

export const sealDocumentStoreProvider: Provider = {
  provide: SEAL_DOCUMENT_STORE,
  inject: [CONFIG],
  useFactory: (config: EcertConfig) => new FileDocumentStore({ root: config.DOCUMENT_STORE_DIR, maxBytes: config.DOCUMENT_MAX_BYTES }),
};
