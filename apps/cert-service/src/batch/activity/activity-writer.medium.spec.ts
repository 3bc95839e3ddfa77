/**
 * The activity writer against the real PostgreSQL (the cert schema with all its migrations): many
 * writers at once over the same certificates, each report naming them in its own order, as the
 * activity reports of several business systems and the login buffer's flushes do. The rows are
 * locked in serial order (activity-writer.ts), so no two writers ever wait on each other in a
 * cycle: no deadlock (40P01), and every certificate ends at the latest activity any of them saw.
 */
import { newSerialNumber, serialKey } from '@ecert/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@ecert/common';
import { dropDatabase } from '@ecert/database';
import { certSchemaForTests } from '../../testing/cert-schema-for-tests';
import { type ActivityEntry, writeActivity } from './activity-writer';

const config = loadConfig(process.env);
const WRITERS = 8;
const ROUNDS = 12;
/** Live certificates, and as many revoked ones the reports name too (a login seen just before a revocation). */
const CERTIFICATES = 200;
let ds: DataSource;
const serials: string[] = [];
const revoked: string[] = [];
const NOT_BEFORE = new Date(Date.now() - 30 * 86_400_000);

beforeAll(async () => {
  // One connection per writer (the test is of deadlocks, found after deadlock_timeout, 1 s).
  ds = await certSchemaForTests(config.DATABASE_URL, WRITERS + 2, { caId: 'sm2-issuing', family: 'sm2', keyAlgorithm: 'SM2' });
  for (let i = 0; i < CERTIFICATES; i++) serials.push(serialKey(newSerialNumber()));
  for (let i = 0; i < CERTIFICATES; i++) revoked.push(serialKey(newSerialNumber()));
  // Random serials, live and revoked interleaved: the table's physical order is not the serials'.
  const all = serials.flatMap((s, i) => [s, revoked[i]!]);
  await ds.query(
    `INSERT INTO cert.certificate (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name, not_before, not_after, der, status_changed_at, version, revoked_at, revocation_reason)
     SELECT s, 'sm2-issuing', 'unit', 'SM2', CASE WHEN s = ANY($3) THEN 'revoked' ELSE 'active' END, 'CN=unit', '91450100MA5L000000', '4501000001', '450100', '测试单位', $2, now() + interval '1 year', '\\x00', $2, 1,
            CASE WHEN s = ANY($3) THEN $2::timestamptz END, CASE WHEN s = ANY($3) THEN 'superseded' END
       FROM unnest($1::text[]) AS s`,
    [all, NOT_BEFORE, revoked],
  );
  await ds.query('ANALYZE cert.certificate');
});

afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

/** A Fisher–Yates shuffle (each writer's report names the certificates in its own order). */
function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * How the planner may join the report to the certificates: whatever join it picks, the rows are
 * locked in serial order (the statement says so; the join alone would lock them in the order of
 * the report, of a hash table or of the heap, which concurrent updates keep reshuffling).
 */
const PLANS: [string, string[]][] = [
  ['the planner\'s own plan', []],
  // The join driven by a scan of the table: rows come in the heap's order, which every update reshuffles.
  ['a nested loop over a scan of the table', ['SET enable_hashjoin = off', 'SET enable_mergejoin = off', 'SET enable_indexscan = off', 'SET enable_bitmapscan = off', 'SET enable_material = off']],
];

describe('activity writer under concurrency', () => {
  it.each(PLANS)('never deadlocks when writers name overlapping certificates in opposite and shuffled orders (%s); the latest activity wins', async (plan, settings) => {
    if (settings.length) {
      // The case is what it says: the rows to lock come from the scan of the table, not from the report.
      const session = ds.createQueryRunner();
      await session.connect();
      try {
        for (const s of settings) await session.query(s);
        let explained: { 'QUERY PLAN': string }[] = [];
        await writeActivity({ query: async (sql: string, params?: unknown[]) => (explained = await session.query(`EXPLAIN ${sql}`, params)) }, [...serials, ...revoked].map((serial) => ({ serial, at: new Date(), kind: 'certificate_login' as const })));
        const text = explained.map((r) => r['QUERY PLAN']).join('\n');
        const locked = text.slice(text.indexOf('CTE locked'));
        expect(locked.indexOf('Seq Scan on certificate'), `${plan}:\n${text}`).toBeGreaterThan(-1);
        expect(locked.indexOf('Seq Scan on certificate'), `${plan}:\n${text}`).toBeLessThan(locked.indexOf('CTE Scan on v'));
      } finally {
        await session.query('RESET ALL');
        await session.release();
      }
    }
    await ds.query('UPDATE cert.certificate SET last_activity_at = NULL, last_activity_kind = NULL, last_activity_client = NULL');
    const latest = new Map<string, number>();
    const revokedSet = new Set(revoked);
    const errors: { code?: string; message: string }[] = [];
    let statements = 0;
    const writer = async (w: number) => {
      // Its own session, with the planner settings of this case.
      const session = ds.createQueryRunner();
      await session.connect();
      try {
        for (const s of settings) await session.query(s);
        for (let round = 0; round < ROUNDS; round++) {
          // A quarter of the writers name them ascending, a quarter descending, the rest shuffled; each a time of its own per certificate.
          const named = [...serials, ...revoked];
          const order = w % 4 === 0 ? named.sort() : w % 4 === 1 ? named.sort().reverse() : shuffled(named);
          const entries: ActivityEntry[] = order.map((serial) => {
            const at = NOT_BEFORE.getTime() + 1 + Math.floor(Math.random() * 20 * 86_400_000);
            if (!revokedSet.has(serial) && (latest.get(serial) ?? 0) < at) latest.set(serial, at);
            // Business systems' reports and the login buffer's flushes alike.
            return w % 2 ? { serial, at: new Date(at), kind: 'business_use' as const, client: `system-${w}` } : { serial, at: new Date(at), kind: 'certificate_login' as const };
          });
          try {
            await writeActivity(session, entries);
            statements++;
          } catch (e) {
            errors.push({ code: (e as { code?: string }).code, message: (e as Error).message });
          }
        }
      } finally {
        // The settings are the session's: not left on a connection the pool hands out again.
        await session.query('RESET ALL');
        await session.release();
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    expect(statements).toBe(WRITERS * ROUNDS);
    const rows: { serial: string; last_activity_at: Date }[] = await ds.query('SELECT serial, last_activity_at FROM cert.certificate WHERE serial = ANY($1)', [serials]);
    expect(rows).toHaveLength(CERTIFICATES);
    const wrong = rows.filter((r) => r.last_activity_at?.getTime() !== latest.get(r.serial));
    expect(wrong.map((r) => [r.serial, r.last_activity_at, new Date(latest.get(r.serial)!)])).toEqual([]);
    // A revoked certificate's activity is not moved.
    expect(await ds.query('SELECT count(*)::int AS n FROM cert.certificate WHERE serial = ANY($1) AND last_activity_at IS NOT NULL', [revoked])).toEqual([{ n: 0 }]);
  });
});
