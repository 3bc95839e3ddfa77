import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HealthReply } from '@ecert/contracts';

/** One service's view of its own dependencies, for the gateway's aggregated health. */
export async function probeServiceHealth(
  service: string,
  ds: DataSource,
  nc: NatsConnection,
  extra: Record<string, () => Promise<boolean>> = {},
): Promise<HealthReply> {
  const checks: Record<string, 'up' | 'down'> = {};
  const timed = async (fn: () => Promise<unknown>) => {
    try {
      await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1500))]);
      return 'up' as const;
    } catch {
      return 'down' as const;
    }
  };
  checks.postgres = await timed(() => ds.query('SELECT 1'));
  checks.nats = nc.isClosed() ? 'down' : 'up';
  for (const [name, fn] of Object.entries(extra)) {
    checks[name] = await timed(async () => {
      if (!(await fn())) throw new Error('down');
    });
  }
  const status = Object.values(checks).every((c) => c === 'up') ? 'up' : 'down';
  return { service, status, checks, version: process.env.npm_package_version ?? '0.1.0' };
}
