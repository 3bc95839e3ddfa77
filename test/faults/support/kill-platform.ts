import path from 'node:path';
import { freePort, startTestPlatform, type TestPlatform } from '../../support/test-platform';
import { TempDir } from '../../support/fixtures';
import { PrivateNats, PrivateRedis } from './private-servers';
import { buildPlatform, ChildService } from './child-service';
import type { FaultPlatform } from './fault-platform';

type KilledService = 'cert-service' | 'seal-service' | 'workflow-service';
const IN_PROCESS: Record<KilledService, 'cert' | 'seal' | 'workflow'> = { 'cert-service': 'cert', 'seal-service': 'seal', 'workflow-service': 'workflow' };

export interface KillPlatform extends FaultPlatform {
  /** The service the scenario kills: an OS process of its own, built as `npm run build` does. */
  child: ChildService;
}

/**
 * The fault platform of a kill scenario: private NATS and Redis, the file's own database, the
 * platform built once (buildPlatform) and `service` run from that build as a child process, the
 * other services and the gateway in the test process. The cert-service starts first (the others
 * find its CAs); a seal- or workflow-service joins a running platform, as after a deployment.
 * `close` stops everything and removes the build.
 */
export async function startKillPlatform(service: KilledService, opts: { env?: Record<string, string> } = {}): Promise<KillPlatform> {
  const t0 = Date.now();
  const build = await buildPlatform();
  const built = Date.now();
  const nats = new PrivateNats();
  const redis = new PrivateRedis();
  const dir = new TempDir();
  const logPath = path.join(dir.path, `${service}.log`);
  let child: ChildService | undefined;
  let p: TestPlatform | undefined;
  try {
    await nats.start();
    await redis.start();
    const env = { NATS_URL: nats.url, REDIS_URL: redis.url, ...opts.env };
    if (service === 'cert-service') {
      // The CAs' CRL/OCSP links name some port; nothing in these scenarios follows them.
      child = new ChildService(build.dist, service, { ...env, ECERT_PUBLIC_URL: `http://127.0.0.1:${await freePort()}` }, logPath);
      await child.start();
    }
    const others = (['cert', 'seal', 'workflow'] as const).filter((s) => s !== IN_PROCESS[service]);
    p = await startTestPlatform({ services: [...others, 'gateway'], env: { ...env, LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'fatal' } });
    if (!child) {
      child = new ChildService(build.dist, service, { ...env, ECERT_PUBLIC_URL: p.baseUrl }, logPath);
      await child.start();
    }
  } catch (e) {
    await child?.stop();
    await p?.close();
    await nats.remove();
    await redis.remove();
    dir.remove();
    build.remove();
    throw e;
  }
  const started = { p: p!, child: child! };
  console.log(`   platform built in ${((built - t0) / 1000).toFixed(0)} s, started in ${((Date.now() - built) / 1000).toFixed(0)} s (${service} as a child process)`);
  return {
    ...started,
    nats,
    redis,
    dir,
    baseUrls: [started.p.baseUrl],
    db: started.p.db,
    natsUrl: nats.url,
    async close() {
      await started.child.stop();
      await started.p.close();
      await nats.remove();
      await redis.remove();
      dir.remove();
      build.remove();
    },
  };
}
