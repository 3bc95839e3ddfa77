import { OPERATIONS } from '@ecert/common';
import { createServiceDataSource } from '@ecert/database';
import { defaultHeaders } from '../../support/http';
import { ClientsService } from '../../../apps/gateway/src/clients/clients.service';

/**
 * Registers the harness's API client (every operation) straight in the gateway schema of
 * `databaseUrl`, for gateways running as child processes, and makes api() send its key.
 */
export async function registerHarnessClient(databaseUrl: string): Promise<void> {
  const ds = await createServiceDataSource({ url: databaseUrl, schema: 'gateway', entities: [], migrations: [] }).initialize();
  try {
    ({ apiKey: defaultHeaders['x-api-key'] } = await new ClientsService(ds, undefined as never, undefined as never).register({ name: 'fault harness', department: 'tests', operations: [...OPERATIONS], rateLimitPerSecond: 100_000 }));
  } finally {
    await ds.destroy();
  }
}
