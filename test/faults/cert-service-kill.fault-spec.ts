import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFault } from './support/fault-platform';
import { startKillPlatform, type KillPlatform } from './support/kill-platform';
import { isClean503 } from './support/checker';

/**
 * kill -9 of the cert-service (an OS process of its own, built as `npm start` runs it) during a
 * burst of issuances, then a restart. Every client that got a 2xx finds its certificate; every
 * issuance is retried with its Idempotency-Key and gets the same certificate (or, if none was
 * made, one now, never a second); no certificate is left without its history, event and audit
 * record. The seal- and workflow-services and the gateway run in this process.
 */
let f: KillPlatform;

beforeAll(async () => {
  f = await startKillPlatform('cert-service');
}, 300_000);

afterAll(async () => {
  await f?.close();
});

describe('kill -9 of the cert-service during an issuance burst', () => {
  it('loses no acknowledged certificate, and retries with the same Idempotency-Key get the same one', async () => {
    let restartMs = 0;
    const { report, during, calls } = await runFault(
      f,
      'cert-service killed (SIGKILL) mid-burst and restarted',
      async () => {
        restartMs = await f.child.killAndRestart();
      },
      { beforeMs: 5000, afterMs: 5000, load: { clients: 12, pauseMs: 100, mix: { issue: 1, lifecycle: 0, application: 0 } }, csrs: 300, retryAll: true },
    );
    console.log(`   cert-service restarted in ${(restartMs / 1000).toFixed(1)} s`);
    const retries = calls.filter((c) => c.retryOf);
    expect(report.acknowledged.issue).toBeGreaterThan(10);
    expect(during.some(isClean503), 'the kill must have been felt').toBe(true);
    expect(retries.length).toBe(calls.length - retries.length);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
    // With the key kept by the cert-service, every retry gets a certificate: the first one's, or a new one if none was made.
    expect(retries.filter((r) => r.kind === 'issue' && r.status !== 201).map((r) => `${r.status} ${r.code}`)).toEqual([]);
  });
});
