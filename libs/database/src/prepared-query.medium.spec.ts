import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource, QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager } from 'typeorm';
import { preparedQuery } from './prepared-query';
import { dropDatabase, ensureDatabase } from './service-data-source';

/** preparedQuery against the real PostgreSQL: this file's own database. */
const url = new URL(process.env.DATABASE_URL!);
url.pathname = `/${url.pathname.slice(1)}_prep`;
let ds: DataSource;

beforeAll(async () => {
  await ensureDatabase(url.toString());
  ds = new DataSource({ type: 'postgres', url: url.toString(), extra: { max: 2 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA IF NOT EXISTS prep; CREATE TABLE IF NOT EXISTS prep.t (id int PRIMARY KEY, v text)');
});
afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(url.toString(), /_prep$/);
});

const INSERT = 'INSERT INTO prep.t (id, v) VALUES ($1, $2) RETURNING id, v';

describe('preparedQuery', () => {
  it('answers the rows of any command, prepared once per connection under one name per text', async () => {
    expect(await preparedQuery(ds.manager, INSERT, [1, 'a'])).toEqual([{ id: 1, v: 'a' }]);
    const names = await ds.transaction(async (m) => {
      await preparedQuery(m, INSERT, [2, 'b']);
      await preparedQuery(m, INSERT, [3, 'c']);
      expect(await preparedQuery(m, 'UPDATE prep.t SET v = $2 WHERE id = $1 RETURNING v', [3, 'cc'])).toEqual([{ v: 'cc' }]);
      return m.query(`SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO prep.t%'`);
    });
    expect(names).toHaveLength(1);
    expect(names[0].name).toMatch(/^ecert_[A-Za-z0-9_-]{22}$/);
    expect(await ds.query('SELECT id, v FROM prep.t ORDER BY id')).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'cc' }]);
  });

  it('runs in the caller\'s transaction: rolled back with it', async () => {
    await expect(ds.transaction(async (m) => {
      await preparedQuery(m, INSERT, [10, 'x']);
      throw new Error('rollback');
    })).rejects.toThrow('rollback');
    expect(await ds.query('SELECT 1 FROM prep.t WHERE id = 10')).toEqual([]);
  });

  it('fails as manager.query does: a QueryFailedError with the server\'s code, the connection back in the pool', async () => {
    const err = await preparedQuery(ds.manager, INSERT, [1, 'again']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryFailedError);
    expect((err as { code?: string }).code).toBe('23505');
    expect((err as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23505');
    // Both pooled connections still serve (none was kept by the failed call).
    await Promise.all([ds.query('SELECT pg_sleep(0.05)'), ds.query('SELECT pg_sleep(0.05)'), preparedQuery(ds.manager, 'SELECT 1 AS one', [])]);
  });

  it("refuses a transaction's manager once the transaction is over, and wraps a client-side failure too", async () => {
    let kept: EntityManager | undefined;
    await ds.transaction(async (m) => {
      kept = m;
    });
    await expect(preparedQuery(kept!, 'SELECT 1 AS one', [])).rejects.toBeInstanceOf(QueryRunnerAlreadyReleasedError);
    // A statement the client itself refuses (a parameter pg cannot serialise) comes as QueryFailedError as well.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(preparedQuery(ds.manager, 'SELECT $1::jsonb AS j', [circular])).rejects.toBeInstanceOf(QueryFailedError);
  });
});
