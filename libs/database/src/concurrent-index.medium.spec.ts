import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';
import { DEFAULT_DATABASE_LIMITS, pgConnectionSettings } from './database-limits';
import { dropDatabase, ensureDatabase } from './service-data-source';
import { withSessionLock } from './session-lock';

/**
 * A concurrent index build waits for every older transaction in the database (another instance's
 * or service's migration when a deployment starts them together). The pool's client-side read
 * timeout must not cut it off: it did, and a second workflow-service instance exited at start with
 * "Query read timeout" in the cluster fault scenario.
 */
const url = new URL(process.env.DATABASE_URL!);
url.pathname = `/${url.pathname.slice(1)}_cic`;
let ds: DataSource;

beforeAll(async () => {
  await ensureDatabase(url.toString());
  // The pool's read timeout is the statement timeout + 2 s: 2.5 s here, so the 4 s wait below outlasts it.
  ds = new DataSource({ type: 'postgres', url: url.toString(), extra: { ...pgConnectionSettings({ ...DEFAULT_DATABASE_LIMITS, statementTimeoutMs: 500 }) } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA IF NOT EXISTS cic; CREATE TABLE IF NOT EXISTS cic.t (id int, at timestamptz)');
});
afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(url.toString(), /_cic$/);
});

describe('createIndexConcurrently', () => {
  it('waits out an older transaction longer than the pool read timeout (2.5 s) and builds the index', async () => {
    const holder = new pg.Client({ connectionString: url.toString() });
    await holder.connect();
    try {
      // An open transaction with a snapshot: the build's last phase waits until it ends.
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM cic.t');
      const release = setTimeout(() => void holder.query('COMMIT'), 4000);
      const q = ds.createQueryRunner();
      const started = Date.now();
      try {
        await createIndexConcurrently(q, 'cic', 't_at_idx', 'cic.t (at)');
      } finally {
        clearTimeout(release);
        await q.release();
      }
      expect(Date.now() - started).toBeGreaterThan(3000);
    } finally {
      await holder.end();
    }
    const valid = await ds.query(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_at_idx'`);
    expect(valid).toEqual([{ indisvalid: true }]);
  });

  it('is not held up by another instance waiting for the migration lock (it waits by polling)', async () => {
    const key = `ecert-migrate-cic-${process.pid}`;
    let releaseHolder!: () => void;
    const holderDone = new Promise<void>((r) => (releaseHolder = r));
    let built = 0;
    // Instance A holds the migration lock and builds an index; instance B starts meanwhile and waits for the lock.
    const a = withSessionLock(url.toString(), key, async () => {
      await new Promise((r) => setTimeout(r, 300)); // B is waiting by now
      const q = ds.createQueryRunner();
      try {
        await createIndexConcurrently(q, 'cic', 't_id_idx', 'cic.t (id)');
        built = Date.now();
      } finally {
        await q.release();
      }
      releaseHolder();
    });
    const b = withSessionLock(url.toString(), key, async () => undefined, { pollMs: 100, lockTimeoutMs: 30_000 });
    const started = Date.now();
    await Promise.race([holderDone, new Promise((_, fail) => setTimeout(() => fail(new Error('the build waited for the waiting instance')), 8_000))]);
    expect(built - started).toBeLessThan(8_000);
    await Promise.all([a, b]);
  });
});
