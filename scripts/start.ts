import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DEV_DEFAULTS_WARNED_ENV, developmentDefaultsWarning, loadConfig } from '@ecert/common';
import { checkBackingServices } from './backing-services';

/**
 * `npm start`: checks the backing services, starts the four services (each applies its own
 * migrations; the cert-service creates the CAs if absent) and says where the API listens.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..');
const SERVICES = ['cert-service', 'seal-service', 'workflow-service', 'gateway'] as const;

async function main(): Promise<void> {
  const config = loadConfig();
  const checks = await checkBackingServices(config);
  const down = checks.filter((c) => !c.ok);
  if (down.length) {
    for (const c of down) console.error(`ecert: ${c.name} is not reachable (${c.error}); ${c.hint}`);
    process.exit(1);
  }

  const warning = developmentDefaultsWarning(config);
  if (warning) console.warn(`ecert: warning: ${warning}`);

  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children.values()) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), 3000).unref();
    Promise.all([...children.values()].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))))).then(() => process.exit(code));
  };
  for (const name of SERVICES) {
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(dist, 'apps', name, 'src', 'main.js')], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...(warning ? { [DEV_DEFAULTS_WARNED_ENV]: '1' } : {}) },
    });
    children.set(name, child);
    child.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`ecert: ${name} exited (${signal ?? code}); stopping the platform`);
        stopAll(1);
      }
    });
  }
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const base = `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !stopping) {
    try {
      const r = await fetch(`${base}/api/v1/health`);
      if (r.ok) {
        const metrics = config.METRICS_PORT ? `\n  Metrics  http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics` : '';
        console.log(`\necert is up:\n  API      ${base}/api/v1\n  API docs ${base}/api/docs\n  PKI      ${base}/pki/ca  ${base}/pki/crl/{caId}.crl  ${base}/pki/ocsp\n  Queues   ${base}/admin/queues (staff: operator, admin)${metrics}\n`);
        return;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!stopping) {
    console.error('ecert: the platform did not become healthy within 90 s; see the logs above');
    stopAll(1);
  }
}

main().catch((e) => {
  console.error(`ecert: ${(e as Error).message}`);
  process.exit(1);
});
