import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import pg from 'pg';
import { createServiceDataSource, dropDatabase, ensureDatabase, poolOf } from './service-data-source';
import { databaseProblem } from './database-problem';
import { withSessionLock } from './session-lock';
import { DatabaseHealthProbe } from './database-health-probe';

/**
 * The limits of libs/database against the real PostgreSQL: a hung transaction, an exhausted pool,
 * a lock nobody releases and a runaway statement each end in a clean, classified error, and the
 * pool serves again right after. Nothing here may wait forever (the test timeout would say so).
 */
const url = process.env.DATABASE_URL!;
const schema = `limits_${randomUUID().slice(0, 8)}`;
const limits = { poolSize: 2, acquireTimeoutMs: 400, statementTimeoutMs: 600, lockTimeoutMs: 300, idleInTransactionTimeoutMs: 500 };
let ds: DataSource;
let outsider: pg.Client;

beforeAll(async () => {
  await ensureDatabase(url);
  ds = createServiceDataSource({ url, schema, entities: [], migrations: [], limits });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA "${schema}"`);
  await ds.query(`CREATE TABLE "${schema}".item (id int PRIMARY KEY, v text)`);
  await ds.query(`INSERT INTO "${schema}".item VALUES (1, 'a')`);
  outsider = new pg.Client({ connectionString: url });
  await outsider.connect();
});

afterAll(async () => {
  await outsider.end();
  await ds.destroy();
  await dropDatabase(url, /^ecert_t[a-z0-9]+$/);
});

const serves = async () => expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);

describe('database limits', () => {
  it('every pooled connection carries the configured timeouts', async () => {
    const rows: { name: string; setting: string }[] = await ds.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('statement_timeout','lock_timeout','idle_in_transaction_session_timeout') ORDER BY name`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.setting]))).toEqual({
      idle_in_transaction_session_timeout: '500',
      lock_timeout: '300',
      statement_timeout: '600',
    });
  });

  it('a transaction left hanging is cut off by PostgreSQL and the pool serves again', async () => {
    const started = Date.now();
    const hung = ds.transaction(async (m) => {
      await m.query(`UPDATE "${schema}".item SET v = 'hung' WHERE id = 1`);
      // The owner "forgets" the transaction, as a request waiting on something that never comes.
      await new Promise((r) => setTimeout(r, 1500));
      await m.query('SELECT 1');
    });
    const err = await hung.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(databaseProblem(err)?.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
    await serves();
    // Its write was rolled back and its row lock released.
    expect(await ds.query(`SELECT v FROM "${schema}".item WHERE id = 1`)).toEqual([{ v: 'a' }]);
  });

  it('an exhausted pool answers database_busy within the acquire timeout, then recovers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const holders = [0, 1].map(() => ds.transaction(async (m) => {
      await m.query('SELECT 1');
      await gate;
    }));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const err = await ds.query('SELECT 1').then(() => undefined, (e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(databaseProblem(err)).toMatchObject({ status: 503, code: 'database_busy' });
    release();
    await Promise.all(holders);
    await serves();
  });

  it('a lock nobody releases ends in a lock timeout, not a wait', async () => {
    await outsider.query('BEGIN');
    await outsider.query(`SELECT * FROM "${schema}".item WHERE id = 1 FOR UPDATE`);
    try {
      const err = await ds
        .transaction((m) => m.query(`SELECT * FROM "${schema}".item WHERE id = 1 FOR UPDATE`))
        .then(() => undefined, (e: unknown) => e);
      expect((err as { driverError?: { code?: string } }).driverError?.code).toBe('55P03');
      expect(databaseProblem(err)).toMatchObject({ status: 503, code: 'database_busy' });
      // Advisory locks obey lock_timeout too.
      await outsider.query('SELECT pg_advisory_xact_lock(42)');
      const adv = await ds.transaction((m) => m.query('SELECT pg_advisory_xact_lock(42)')).then(() => undefined, (e: unknown) => e);
      expect(databaseProblem(adv)?.code).toBe('database_busy');
    } finally {
      await outsider.query('ROLLBACK');
    }
    await serves();
  });

  it('a runaway statement is cancelled by statement_timeout', async () => {
    const err = await ds.query('SELECT pg_sleep(5)').then(() => undefined, (e: unknown) => e);
    expect((err as { driverError?: { code?: string } }).driverError?.code).toBe('57014');
    expect(databaseProblem(err)?.status).toBe(503);
    await serves();
  });

  it('a session lock holds one connection outside the pool, and the pool stays usable under it', async () => {
    const held = await withSessionLock(url, `lock-${schema}`, async () => {
      // All of the (tiny) pool is usable while the lock is held.
      await Promise.all([ds.query('SELECT pg_sleep(0.05)'), ds.query('SELECT pg_sleep(0.05)')]);
      const [{ n }] = await outsider.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`).then((r) => r.rows);
      return n;
    });
    expect(held).toBeGreaterThanOrEqual(1);
    // Released with its session: another session takes it at once.
    const [{ ok }] = (await outsider.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [`lock-${schema}`])).rows;
    expect(ok).toBe(true);
    await outsider.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`lock-${schema}`]);
  });

  it('health tells an exhausted pool apart from a database that is down', async () => {
    // Its own pool, whose transactions may idle long enough for the probe to look.
    const ds = createServiceDataSource({ url, schema, entities: [], migrations: [], limits: { ...limits, idleInTransactionTimeoutMs: 10_000 } });
    await ds.initialize();
    const probe = new DatabaseHealthProbe(ds);
    expect((await probe.check()).status).toBe('up');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const holders = [0, 1].map(() => ds.transaction(async (m) => {
      await m.query('SELECT 1');
      await gate;
    }));
    await new Promise((r) => setTimeout(r, 1100)); // past the probe's 1 s answer cache
    const busy = await probe.check();
    release();
    await Promise.all(holders);
    expect(busy.status).toBe('exhausted');
    expect(busy.pool).toMatchObject({ max: 2, size: 2, idle: 0 });
    await probe.close();
    await ds.destroy();

    const dead = createServiceDataSource({ url: url.replace(/:\d+\//, ':1/'), schema, entities: [], migrations: [], limits });
    const deadProbe = new DatabaseHealthProbe(dead);
    expect((await deadProbe.check()).status).toBe('down');
    await deadProbe.close();
  });

  it('pool statistics come from the real pool', () => {
    expect(poolOf(ds)?.totalCount).toBeGreaterThanOrEqual(1);
  });
});
