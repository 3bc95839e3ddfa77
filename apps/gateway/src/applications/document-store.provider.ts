import type { Provider } from '@nestjs/common';
import type { EcertConfig } from '@ecert/common';
import { FileDocumentStore } from '@ecert/documents';
import { GATEWAY_CONFIG, GATEWAY_DOCUMENT_STORE } from '../gateway.tokens';

/** The document store the gateway puts uploaded materials in (the volume it shares with the workflow-service). */
export const documentStoreProvider: Provider = {
  provide: GATEWAY_DOCUMENT_STORE,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: EcertConfig) => FileDocumentStore.fromConfig(config),
};
