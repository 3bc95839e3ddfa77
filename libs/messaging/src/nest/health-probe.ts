import type { NatsConnection } from '@nats-io/transport-node';
import type { HealthCheckStatus, HealthReply } from '@ecert/contracts';
import type { DatabaseHealthProbe } from '@ecert/database';

/** One service's view of its own dependencies, for the gateway's aggregated health. */
export async function probeServiceHealth(
  service: string,
  database: DatabaseHealthProbe,
  nc: NatsConnection,
  extra: Record<string, () => Promise<boolean>> = {},
): Promise<HealthReply> {
  const checks: Record<string, HealthCheckStatus> = {};
  const timed = async (fn: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([fn(), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('timeout')), 1500)))]);
      return 'up' as const;
    } catch {
      return 'down' as const;
    } finally {
      clearTimeout(timer);
    }
  };
  const db = await database.check();
  checks.postgres = db.status;
  checks.nats = nc.isClosed() ? 'down' : 'up';
  for (const [name, fn] of Object.entries(extra)) {
    checks[name] = await timed(async () => {
      if (!(await fn())) throw new Error('down');
    });
  }
  const status = Object.values(checks).every((c) => c === 'up') ? 'up' : 'down';
  return { service, status, checks, postgresPool: db.pool, version: process.env.npm_package_version ?? '0.1.0' };
}
