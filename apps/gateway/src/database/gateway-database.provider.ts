import type { Provider } from '@nestjs/common';
import { createServiceDataSource, databaseLimits, prepareServiceDatabase } from '@ecert/database';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { InitGatewaySchema1763900000003 } from '../migrations/1763900000003-init-gateway-schema';

export const GATEWAY_MIGRATIONS = [InitGatewaySchema1763900000003];

/** The gateway's own schema: registered clients, staff, and the audit trail. */
export const gatewayDatabaseProvider: Provider = {
  provide: GATEWAY_DATA_SOURCE,
  inject: [GATEWAY_CONFIG],
  useFactory: async (config: EcertConfig) => {
    const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'gateway', entities: [], migrations: GATEWAY_MIGRATIONS, limits: databaseLimits(config) });
    await prepareServiceDatabase(ds, 'gateway');
    return ds;
  },
};
