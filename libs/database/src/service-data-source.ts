import 'reflect-metadata';
import pg from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { DEFAULT_DATABASE_LIMITS, pgConnectionSettings, type DatabaseLimits } from './database-limits';
import { markedPg } from './database-error-mark';
import { withSessionLock } from './session-lock';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema; no service reads another's. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  limits?: Partial<DatabaseLimits>;
}

/**
 * A TypeORM DataSource bound to one service schema; migrations only, never synchronize. Every
 * connection carries the statement, lock and idle-transaction timeouts, and the pool an acquire
 * timeout, so nothing in the service can wait on PostgreSQL forever.
 */
export function createServiceDataSource(opts: ServiceDataSourceOptions): DataSource {
  const limits = { ...DEFAULT_DATABASE_LIMITS, ...opts.limits };
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    // node-postgres whose pool marks its connect errors, so databaseProblem knows them for the database's.
    driver: markedPg,
    extra: { max: limits.poolSize, application_name: `ecert-${opts.schema}`, ...pgConnectionSettings(limits) },
  });
}

/** The node-postgres pool behind a DataSource (TypeORM keeps it as the driver's `master`). */
export function poolOf(ds: DataSource): pg.Pool | undefined {
  return (ds.driver as unknown as { master?: pg.Pool }).master;
}

export const dataSourceUrl = (ds: DataSource): string => (ds.options as { url: string }).url;

/** Creates the database named in `url` if it does not exist (a fresh developer machine). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`).catch((e: { code?: string }) => {
        // Created concurrently by another service: PostgreSQL reports the loser as 42P04 or,
        // when both passed the existence check, as a unique violation on pg_database (23505).
        if (e.code !== '42P04' && e.code !== '23505') throw e;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Drops the database named in `url` and whoever is connected to it. Only for databases a test or
 * benchmark run made for itself: `allowed` must match its name, a guard against a real one.
 */
export async function dropDatabase(url: string, allowed: RegExp): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.replace(/^\//, ''));
  if (!allowed.test(name)) throw new Error(`refusing to drop database ${name}`);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Initialises the DataSource, creates the service schema and applies pending migrations. */
export async function prepareServiceDatabase(ds: DataSource, schema: string): Promise<void> {
  const url = dataSourceUrl(ds);
  await ensureDatabase(url);
  // Several services (and instances) start at once: one of them creates the schema and migrates
  // while the others wait, each holding the lock on a connection outside its pool. They wait by
  // polling: a blocked lock statement would hold a snapshot that the holder's concurrent index
  // builds wait for (see SessionLockOptions.pollMs).
  await withSessionLock(
    url,
    `ecert-migrate-${schema}`,
    async () => {
      if (!ds.isInitialized) await ds.initialize();
      await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await ds.runMigrations({ transaction: 'each' });
    },
    { pollMs: 250, lockTimeoutMs: 600_000 },
  );
}
