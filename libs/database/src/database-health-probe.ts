import pg from 'pg';
import type { DataSource } from 'typeorm';
import { dataSourceUrl, poolOf } from './service-data-source';

/** `exhausted`: PostgreSQL answers, but the service's pool gives no connection in time. */
export type DatabaseHealthStatus = 'up' | 'down' | 'exhausted';

export interface DatabaseHealth {
  status: DatabaseHealthStatus;
  pool: { size: number; max: number; idle: number; waiting: number };
}

const PROBE_TIMEOUT_MS = 1500;
/** Health is public: callers share one probe at a time and its answer for this long. */
const CACHE_MS = 1000;

/**
 * Tells "PostgreSQL is down" from "our pool is exhausted or timing out". It asks PostgreSQL on a
 * single connection of its own, outside the pool (opened once and reopened only after a failure,
 * so anonymous health calls cannot open connections), and then asks the pool for a connection.
 */
export class DatabaseHealthProbe {
  private client?: pg.Client;
  private inFlight?: Promise<DatabaseHealth>;
  private last?: { at: number; health: DatabaseHealth };

  constructor(private readonly ds: DataSource) {}

  check(): Promise<DatabaseHealth> {
    if (this.last && Date.now() - this.last.at < CACHE_MS) return Promise.resolve(this.last.health);
    this.inFlight ??= this.probe().then((health) => {
      this.last = { at: Date.now(), health };
      this.inFlight = undefined;
      return health;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async probe(): Promise<DatabaseHealth> {
    const pool = poolOf(this.ds);
    const stats = {
      size: pool?.totalCount ?? 0,
      max: (pool as unknown as { options?: { max?: number } })?.options?.max ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
    };
    if (!(await this.serverAnswers())) return { status: 'down', pool: stats };
    const pooled = await withTimeout(this.ds.query('SELECT 1'), PROBE_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    return { status: pooled ? 'up' : 'exhausted', pool: stats };
  }

  private async serverAnswers(): Promise<boolean> {
    try {
      if (!this.client) {
        const c = new pg.Client({ connectionString: dataSourceUrl(this.ds), connectionTimeoutMillis: PROBE_TIMEOUT_MS, application_name: 'ecert-health', statement_timeout: PROBE_TIMEOUT_MS });
        c.on('error', () => {
          if (this.client === c) this.client = undefined;
        });
        this.client = c;
        await c.connect();
      }
      await withTimeout(this.client.query('SELECT 1'), PROBE_TIMEOUT_MS);
      return true;
    } catch {
      await this.close();
      return false;
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}
