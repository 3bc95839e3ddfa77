import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIONAL_SCOPE, requestContext } from '@ecert/common';
import { runFault, sleep, startFaultPlatform, type FaultPlatform } from './support/fault-platform';
import { isClean503 } from './support/checker';
import type { Call } from './support/load';
import { FreezeCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/freeze-certificate.use-case';

/**
 * NATS stopped (SIGKILL) for 10 s under mixed load, then started again on the same port and store
 * directory. Every HTTP call is a request over NATS, so the clients get 503s meanwhile; state
 * changes still commit (calls in flight when NATS died, and freezes made straight through the
 * cert-service's use case while it is down, as a job would). Every committed change must reach
 * JetStream and each consumer exactly once after NATS returns.
 */
let f: FaultPlatform;
beforeAll(async () => {
  f = await startFaultPlatform();
});
afterAll(async () => {
  await f?.close();
});

describe('NATS stopped for 10 s during mixed load', () => {
  it('answers clean 503s meanwhile, delivers every committed change exactly once afterwards, and recovers by itself', async () => {
    const direct: Call[] = [];
    const { report, during } = await runFault(f, 'NATS stopped 10 s', async (load) => {
      // Three certificates the load knows active, taken from it first (a loaded machine may have issued few yet).
      const serials: string[] = [];
      for (const until = Date.now() + 30_000; serials.length < 3 && Date.now() < until; await sleep(200)) serials.push(...load.take(3 - serials.length));
      await f.nats.stop('SIGKILL');
      await sleep(1000);
      const freeze = f.p.services.cert!.get(FreezeCertificateUseCase);
      for (const serial of serials) {
        const requestId = `fault-direct-${randomUUID()}`;
        const startedAt = Date.now();
        const view = await requestContext.run({ requestId, actor: 'fault-suite', regions: [NATIONAL_SCOPE] }, () => freeze.execute({ serial, comment: 'NATS is down' }));
        const call: Call = { kind: 'freeze', method: 'POST', path: 'direct:freeze', body: {}, idempotencyKey: requestId, requestId, status: 200, contentType: 'application/json', target: serial, answer: view, startedAt, ms: Date.now() - startedAt };
        direct.push(call);
        load.calls.push(call);
      }
      await sleep(9000);
      await f.nats.start();
    });
    expect(direct).toHaveLength(3);
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
