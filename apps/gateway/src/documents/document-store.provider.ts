import type { Provider } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { FileDocumentStore } from '@ecert/documents';
import { GATEWAY_CONFIG, GATEWAY_PDF_STORE } from '../gateway.tokens';

/** The document store for PDFs to seal or verify: the volume materials use, DOCUMENT_MAX_BYTES as its limit. */
export const pdfStoreProvider: Provider = {
  provide: GATEWAY_PDF_STORE,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: EcertConfig) => new FileDocumentStore({ root: config.DOCUMENT_STORE_DIR, maxBytes: config.DOCUMENT_MAX_BYTES }),
};
