import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFault } from './support/fault-platform';
import { startKillPlatform, type KillPlatform } from './support/kill-platform';
import { isClean503 } from './support/checker';
import { makeCsrs } from './support/load';
import { waitFor } from '../support/http';
import { ApplicationSagas, checkSagas, prepareApplications, type PreparedApplication } from './support/application-sagas';

/**
 * kill -9 of the workflow-service (an OS process of its own) while it carries out approved
 * applications: applications reviewed up to their last tier get their final approval and their
 * production report in a burst, which starts each one's fulfilment saga (issue the certificate
 * onto the UKey, make the official seal); the workflow-service is killed mid-burst and restarted.
 * Afterwards every saga has run to its end exactly once: each application completed with one
 * certificate and one seal, none stuck or needing attention, every 2xx still true. The cert- and
 * seal-services and the gateway run in this process.
 */
/** Applications whose certificate or seal step is due or claimed (being sent) right now. */
const SAGAS_UNDER_WAY = `SELECT count(DISTINCT application_id)::int AS n FROM workflow.application_step
  WHERE name IN ('issue_certificate', 'make_seals') AND status IN ('pending', 'running') AND next_attempt_at IS NOT NULL`;

let f: KillPlatform;
let prepared: Awaited<ReturnType<typeof prepareApplications>>;

beforeAll(async () => {
  // Steps polled often, so the burst's sagas are under way when the kill comes.
  f = await startKillPlatform('workflow-service', { env: { WORKFLOW_STEP_POLL_MS: '100', WORKFLOW_STEP_BACKOFF_MS: '200' } });
  const t = Date.now();
  prepared = await prepareApplications(f.p.baseUrl, f.dir, await makeCsrs(f.dir, 24));
  console.log(`   ${prepared.apps.length} applications filed and reviewed up to their last tier in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}, 600_000);

afterAll(async () => {
  await f?.close();
});

describe('kill -9 of the workflow-service while it carries out approvals', () => {
  it('runs every saga to its end exactly once: one certificate and one seal per application, none stuck', async () => {
    let restartMs = 0;
    let sagasAtKill = 0;
    const apps: PreparedApplication[] = prepared.apps;
    const { report, during } = await runFault(
      f,
      'workflow-service killed (SIGKILL) while carrying out approvals, and restarted',
      async () => {
        // The kill comes while sagas are under way: some certificate or seal step due or sent.
        // Watched from the burst's first moments: on a quick machine all 24 sagas can run in the
        // first seconds of the burst, so waiting for the load to settle first would miss them.
        sagasAtKill = await waitFor(async () => (await f.p.db.query(SAGAS_UNDER_WAY)).rows[0].n as number, 20_000, 25).catch(() => 0);
        restartMs = await f.child.killAndRestart(2000);
      },
      {
        beforeMs: 200,
        afterMs: 1000,
        driver: new ApplicationSagas(f.p.baseUrl, apps, prepared.staff, 4),
        // These routes keep no command receipts: the driver reads the application back instead of retrying a call.
        retry: () => false,
        check: (r, calls) => checkSagas(f.p.db, apps, calls, r),
      },
    );
    console.log(`   ${sagasAtKill} sagas had a certificate or seal step due or in flight at the kill; workflow-service restarted in ${(restartMs / 1000).toFixed(1)} s`);
    expect(sagasAtKill).toBeGreaterThan(0);
    expect(report.acknowledged.saga).toBe(apps.length);
    expect(report.found.saga).toBe(apps.length);
    expect(report.acknowledged.approval).toBeGreaterThan(0);
    expect(report.acknowledged.production).toBeGreaterThan(0);
    // The kill is felt by the sagas (sagasAtKill above). A client call need not meet it: on a quick
    // machine the drivers may have sent every approval and production before the kill; any call that
    // did meet it must have had a clean answer (report.unclean below).
    const met = during.filter((c) => c.status >= 500 || c.status === 0);
    expect(met.every(isClean503), JSON.stringify(met.slice(0, 3))).toBe(true);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
  });
});
