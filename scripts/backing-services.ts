import net from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { EcertConfig } from '@ecert/common';
import { natsServers } from '@ecert/messaging';

export interface BackingCheck {
  name: 'PostgreSQL' | 'NATS' | 'Redis';
  ok: boolean;
  hint: string;
  error?: string;
}

const HINTS = {
  PostgreSQL: 'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  NATS: 'start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server',
  Redis: 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
} as const;

function tcp(url: string, defaultPort: number): Promise<void> {
  const u = new URL(url.split(',')[0]);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || defaultPort), timeout: 1500 });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('timeout'));
    });
    s.once('error', reject);
  });
}

/** Checks PostgreSQL, NATS and Redis; each failure comes with the one command that fixes it. */
export async function checkBackingServices(config: EcertConfig): Promise<BackingCheck[]> {
  const pgCheck = async () => {
    const admin = new URL(config.DATABASE_URL);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const redisCheck = async () => {
    const r = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  };
  const run = async (name: BackingCheck['name'], fn: () => Promise<void>): Promise<BackingCheck> => {
    try {
      await fn();
      return { name, ok: true, hint: HINTS[name] };
    } catch (e) {
      return { name, ok: false, hint: HINTS[name], error: (e as Error).message || String(e) };
    }
  };
  return Promise.all([
    run('PostgreSQL', pgCheck),
    // One reachable node of a cluster is enough: the clients find the others from it.
    run('NATS', () => Promise.any(natsServers(config.NATS_URL).map((u) => tcp(u.replace(/^nats:/, 'http:'), 4222))).catch((e: AggregateError) => Promise.reject(e.errors[0] as Error))),
    run('Redis', redisCheck),
  ]);
}
