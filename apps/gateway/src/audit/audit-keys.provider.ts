import type { Provider } from '@nestjs/common';
import { loadAuditKeys, type EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG } from '../gateway.tokens';

export const AUDIT_KEYS = Symbol('AUDIT_KEYS');

/** The audit MAC and checkpoint keys, from configuration (never from the database they protect). */
export const auditKeysProvider: Provider = {
  provide: AUDIT_KEYS,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: EcertConfig) => loadAuditKeys(config.ECERT_AUDIT_KEY, config.ECERT_AUDIT_SIGNING_KEY),
};
