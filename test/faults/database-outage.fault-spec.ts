import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFault, startFaultPlatform, type FaultPlatform } from './support/fault-platform';
import { isClean503 } from './support/checker';
import { cutDatabase } from './support/database-outage';

/**
 * PostgreSQL gone for 10 s under mixed load: the run's database refuses new connections and every
 * connection the services hold is terminated, repeatedly. Clients get clean 503s; nothing is
 * half-written (a certificate with its history and event, or nothing); everything acknowledged
 * before is still there; the services take up work again without a restart.
 */
let f: FaultPlatform;
beforeAll(async () => {
  f = await startFaultPlatform();
});
afterAll(async () => {
  await f?.close();
});

describe('PostgreSQL connections cut for 10 s during mixed load', () => {
  it('answers clean 503s meanwhile, loses and half-writes nothing, and recovers without a restart', async () => {
    let terminated = 0;
    const { report, during } = await runFault(f, 'PostgreSQL connections terminated and refused 10 s', async () => {
      ({ terminated } = await cutDatabase(f.p.config.DATABASE_URL, 10_000));
    });
    console.log(`   connections terminated: ${terminated}`);
    expect(terminated).toBeGreaterThan(0);
    expect(report.acknowledged.issue).toBeGreaterThan(5);
    expect(during.some(isClean503), 'the outage must have been felt').toBe(true);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
    expect(report.recoveredMs).toBeDefined();
    expect(report.recoveredMs!).toBeLessThan(15_000);
  });
});
