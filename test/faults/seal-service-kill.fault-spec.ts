import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFault } from './support/fault-platform';
import { startKillPlatform, type KillPlatform } from './support/kill-platform';
import { isClean503 } from './support/checker';
import { makeCsrs } from './support/load';
import { issueWithSeals } from './support/sealed-certificates';
import { SEAL_CERTIFICATE_CONSUMER } from '../../apps/seal-service/src/certificate-events/certificate-events.listener';

/**
 * kill -9 of the seal-service (an OS process of its own) while it follows certificate events:
 * certificates with seals are frozen, unfrozen and revoked in a burst (the cert-service stays up
 * and answers them), seals are made for active ones, and the seal-service is killed mid-burst and
 * restarted. Afterwards every seal is in the state its certificate's last acknowledged status
 * requires, every certificate event was applied by the seal-service exactly once (inbox; one
 * seal change and one seal event per seal and event), and every seal-making call retried with
 * its Idempotency-Key gets the seal it made, never a second. The cert- and workflow-services and
 * the gateway run in this process.
 */
let f: KillPlatform;
let certificates: string[];

beforeAll(async () => {
  f = await startKillPlatform('seal-service');
  const t = Date.now();
  certificates = await issueWithSeals(f.p.baseUrl, await makeCsrs(f.dir, 24));
  console.log(`   ${certificates.length} certificates with 2 seals each made in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}, 600_000);

afterAll(async () => {
  await f?.close();
});

describe('kill -9 of the seal-service while it follows certificate events', () => {
  it('leaves every seal in the state its certificate requires, each event applied once, no seal made twice', async () => {
    let restartMs = 0;
    let restartedAt = 0;
    const { report, during, calls } = await runFault(
      f,
      'seal-service killed (SIGKILL) while following certificate events, and restarted',
      async () => {
        restartMs = await f.child.killAndRestart(3000);
        restartedAt = Date.now() - restartMs;
      },
      {
        beforeMs: 4000,
        afterMs: 5000,
        csrs: 0,
        retryAll: true,
        load: { clients: 8, pauseMs: 50, certificates, maxRevocations: 15, mix: { issue: 0, lifecycle: 0.75, revoke: 0.05, seal: 0.2, application: 0 } },
      },
    );
    // Certificate events the seal-service applied only once it was back: the backlog of the kill.
    const backlog = (await f.p.db.query(`SELECT count(*)::int AS n FROM seal.inbox WHERE consumer = $1 AND processed_at >= $2`, [SEAL_CERTIFICATE_CONSUMER, new Date(restartedAt)])).rows[0].n as number;
    console.log(`   seal-service restarted in ${(restartMs / 1000).toFixed(1)} s; ${backlog} certificate events applied after the restart`);
    const retries = calls.filter((c) => c.retryOf);
    expect(report.acknowledged.freeze).toBeGreaterThan(10);
    expect(report.acknowledged.revoke).toBeGreaterThan(0);
    expect(report.acknowledged['seal state']).toBeGreaterThanOrEqual(certificates.length * 2);
    expect(backlog).toBeGreaterThan(0);
    expect(during.some(isClean503), 'the kill must have been felt').toBe(true);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
    // The seal-service keeps the key with the seal: a seal-making call that got no clean answer gets its seal on retry.
    expect(retries.filter((r) => r.kind === 'seal' && r.status !== 201).map((r) => `${r.status} ${r.code}`)).toEqual([]);
  });
});
