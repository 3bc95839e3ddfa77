import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import { createLogger, DEV_DEFAULTS_WARNED_ENV, developmentDefaultsWarning, loadConfig } from '@ecert/common';

/**
 * `node dist/apps/gateway/src/main.js`: one gateway process, or with GATEWAY_WORKERS > 1 a primary
 * that runs that many gateway processes on the one port (cluster/gateway-worker-pool.ts). The
 * primary loads no part of the application: it only forks, replaces and stops the workers.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, 'gateway');
  if (cluster.isPrimary && config.GATEWAY_WORKERS > 1) {
    const logger = createLogger('gateway', config.LOG_LEVEL);
    const warning = developmentDefaultsWarning(config, 'gateway');
    if (warning && !process.env[DEV_DEFAULTS_WARNED_ENV]) logger.warn(warning);
    const { GatewayWorkerPool } = await import('./cluster/gateway-worker-pool');
    new GatewayWorkerPool(
      { workers: config.GATEWAY_WORKERS, instanceId: config.ECERT_INSTANCE_ID, metricsWindowMs: config.METRICS_GATHER_MS, devDefaultsWarned: !!warning || !!process.env[DEV_DEFAULTS_WARNED_ENV], url: `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}` },
      logger,
    ).start();
    return;
  }
  const { startGateway } = await import('./gateway-app');
  await startGateway(config);
}

// Only as the process's main module (a worker forked by the primary runs this file too).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(`gateway failed to start: ${(e as Error).message}`);
    process.exit(1);
  });
}
