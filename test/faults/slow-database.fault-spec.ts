import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFault, sleep, startFaultPlatform, type FaultPlatform } from './support/fault-platform';
import { holdLock } from './support/database-outage';

/**
 * A slow PostgreSQL: three times, a transaction holds an ACCESS EXCLUSIVE lock on the certificate
 * and application tables for 2 s, under mixed load, with the services' lock timeout at 1 s. Calls
 * that wait on it end as clean 503s (database_busy) within bounded time, never a hang or a 500;
 * the connection pools do not wedge (calls succeed again at once); nothing acknowledged is lost.
 */
let f: FaultPlatform;
beforeAll(async () => {
  f = await startFaultPlatform({ env: { DATABASE_LOCK_TIMEOUT_MS: '1000' } });
});
afterAll(async () => {
  await f?.close();
});

describe('a lock held 2 s on the busiest tables, three times, during mixed load', () => {
  it('times calls out cleanly, does not wedge the pools, and loses nothing', async () => {
    const { report, during } = await runFault(f, 'PostgreSQL lock held 2 s (3 times), lock_timeout 1 s', async () => {
      for (let i = 0; i < 3; i++) {
        await Promise.all([holdLock(f.p.config.DATABASE_URL, 'cert.certificate', 2000), holdLock(f.p.config.DATABASE_URL, 'workflow.application', 2000)]);
        await sleep(1000);
      }
    });
    const slowest = Math.max(...during.map((c) => c.ms));
    console.log(`   slowest answer during the locks: ${slowest} ms`);
    expect(report.acknowledged.issue).toBeGreaterThan(5);
    expect(during.some((c) => c.status === 503 && c.code === 'database_busy'), 'the locks must have been felt').toBe(true);
    // Bounded: lock timeout (1 s) plus the rest of the call, never the NATS request timeout or a hang.
    expect(slowest).toBeLessThan(4000);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
    expect(report.recoveredMs).toBeDefined();
    expect(report.recoveredMs!).toBeLessThan(3000);
  });
});
