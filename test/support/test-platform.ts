import { rmSync } from 'node:fs';
import pg from 'pg';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { loadConfig, type EcertConfig } from '@ecert/common';
import { startCertService } from '../../apps/cert-service/src/main';
import { startSealService } from '../../apps/seal-service/src/main';
import { startWorkflowService } from '../../apps/workflow-service/src/main';
import { startGateway } from '../../apps/gateway/src/gateway-app';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { NATIONAL_SCOPE, OPERATIONS, requestContext } from '@ecert/common';
import { defaultHeaders } from './http';
import { dropRunState, freePort } from '../../scripts/run-isolation';
import { auditChainName, auditCheckpointDirectory } from '../../apps/gateway/src/audit/audit-checkpoint-files';

export { freePort } from '../../scripts/run-isolation';

export interface TestPlatform {
  config: EcertConfig;
  baseUrl: string;
  services: Record<'cert' | 'seal' | 'workflow', INestMicroservice | undefined>;
  gateway?: INestApplication;
  /** API key of a client registered with every operation and no region limit; api() sends it. */
  apiKey?: string;
  db: pg.Pool;
  /** Stops every service and starts them afresh on the same database, CAs and keys (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  services?: ('cert' | 'seal' | 'workflow' | 'gateway')[];
  env?: Record<string, string>;
  /** Do not register the all-powerful harness client (for tests of refusals). */
  noDefaultClient?: boolean;
  /** Settings of one service only (its own NATS credentials, say). */
  envFor?: (service: 'cert' | 'seal' | 'workflow' | 'gateway') => Record<string, string>;
}

/**
 * The real platform in this process: the services and the gateway against the real PostgreSQL,
 * NATS and Redis, isolated by the per-file prefixes from env.setup.ts. `close` removes the
 * database, the JetStream stream and the Redis keys it made.
 */
export async function startTestPlatform(opts: PlatformOptions = {}): Promise<TestPlatform> {
  const wanted = new Set(opts.services ?? ['cert', 'seal', 'workflow', 'gateway']);
  const port = await freePort();
  const config = loadConfig({
    ...process.env,
    GATEWAY_PORT: String(port),
    ECERT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...opts.env,
  });
  const services: TestPlatform['services'] = { cert: undefined, seal: undefined, workflow: undefined };
  let gateway: INestApplication | undefined;
  const start = async () => {
    const configFor = (s: 'cert' | 'seal' | 'workflow' | 'gateway') => (opts.envFor ? loadConfig({ ...process.env, GATEWAY_PORT: String(port), ECERT_PUBLIC_URL: `http://127.0.0.1:${port}`, ...opts.env, ...opts.envFor(s) }) : config);
    if (wanted.has('cert')) services.cert = await startCertService(configFor('cert'));
    const rest = await Promise.all([
      wanted.has('seal') ? startSealService(configFor('seal')) : undefined,
      wanted.has('workflow') ? startWorkflowService(configFor('workflow')) : undefined,
    ]);
    services.seal = rest[0];
    services.workflow = rest[1];
    gateway = wanted.has('gateway') ? await startGateway(configFor('gateway'), port) : undefined;
  };
  const stop = async () => {
    await gateway?.close();
    for (const s of [services.seal, services.workflow, services.cert]) await s?.close();
  };
  await start();
  const db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 3 });
  // Dropping the run's database (WITH FORCE) may terminate a connection the pool is still closing.
  db.on('error', () => undefined);
  let apiKey: string | undefined;
  if (gateway && !opts.noDefaultClient) {
    ({ apiKey } = await gateway.get(ClientsService).register({ name: 'test harness', department: 'tests', operations: [...OPERATIONS], rateLimitPerSecond: 100_000 }));
    defaultHeaders['x-api-key'] = apiKey;
  }
  return {
    apiKey,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    services,
    get gateway() {
      return gateway;
    },
    db,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      delete defaultHeaders['x-api-key'];
      await stop();
      await db.end();
      await dropTestState(config);
      rmSync(auditCheckpointDirectory(config.ECERT_AUDIT_CHECKPOINT_DIR, auditChainName(config.DATABASE_URL)), { recursive: true, force: true });
    },
  };
}

/** Removes everything a test run left: its database, JetStream stream and Redis keys. */
export async function dropTestState(config: EcertConfig): Promise<void> {
  const problems = await dropRunState(config, /^ecert_t[a-z0-9]+$/);
  if (problems.length) console.warn(`test cleanup incomplete: ${problems.join('; ')}`);
}

/**
 * Runs a use case called directly (not over the bus) as an operator with national scope: the
 * services refuse anything without a stated scope.
 */
export function asNationalOperator<T>(fn: () => Promise<T>): Promise<T> {
  return requestContext.run({ requestId: `test-${Date.now().toString(36)}`, actor: 'test-operator', regions: [NATIONAL_SCOPE] }, fn);
}
