import 'reflect-metadata';
import pg from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema; no service reads another's. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/** A TypeORM DataSource bound to one service schema; migrations only, never synchronize. */
export function createServiceDataSource(opts: ServiceDataSourceOptions): DataSource {
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
    extra: { max: opts.poolSize ?? 10, application_name: `ecert-${opts.schema}` },
  });
}

/** Creates the database named in `url` if it does not exist (a fresh developer machine). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
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

/** Initialises the DataSource, creates the service schema and applies pending migrations. */
export async function prepareServiceDatabase(ds: DataSource, schema: string): Promise<void> {
  const url = (ds.options as { url: string }).url;
  await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Several services start at once; an advisory lock keeps CREATE SCHEMA from racing.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`ecert-schema-${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`ecert-schema-${schema}`]);
  } finally {
    await client.end();
  }
  if (!ds.isInitialized) await ds.initialize();
  await ds.query('SELECT pg_advisory_lock(hashtext($1))', [`ecert-migrate-${schema}`]);
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.query('SELECT pg_advisory_unlock(hashtext($1))', [`ecert-migrate-${schema}`]);
  }
}
