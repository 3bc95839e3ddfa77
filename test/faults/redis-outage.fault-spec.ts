import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Queue } from 'bullmq';
import { bullPrefix, durableConsumers, eventsStreamName, QueueNames } from '@ecert/contracts';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { runFault, sleep, startFaultPlatform, type FaultPlatform } from './support/fault-platform';
import { isClean503 } from './support/checker';
import { issueBody, makeCsrs, send } from './support/load';
import { opensslAsync } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Redis killed for 10 s under mixed load and started again empty (no persistence: the harder
 * case, its queues and keys are gone). Calls with an Idempotency-Key need Redis and get a clean
 * 503; OCSP and CRLs keep answering; the rate limiter lets calls through while Redis is gone (it
 * fails open, by design); webhooks of every certificate event, queued in BullMQ on Redis, are
 * still delivered once Redis is back; the repeating jobs (CRL refresh, reminders, the invalid-list
 * run, the document sweep), whose schedulers were lost with Redis, are scheduled again.
 */

/** The repeating jobs every start schedules, by queue: each must be back after Redis returns empty. */
const SCHEDULERS = [
  [QueueNames.crlRefresh, 'crl-refresh-all'],
  [QueueNames.reminders, 'reminders-scheduled'],
  [QueueNames.invalidation, 'invalidation-scheduled'],
  [QueueNames.documentRetention, 'document-retention-sweep'],
] as const;

async function missingSchedulers(redisUrl: string, redisPrefix: string): Promise<string[]> {
  const missing: string[] = [];
  for (const [name, id] of SCHEDULERS) {
    const q = new Queue(name, { connection: { url: redisUrl, maxRetriesPerRequest: 1 }, prefix: bullPrefix(redisPrefix) });
    q.on('error', () => undefined);
    try {
      if (!(await q.getJobScheduler(id))) missing.push(id);
    } finally {
      await q.close();
    }
  }
  return missing;
}
let f: FaultPlatform;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  await receiver.start();
  f = await startFaultPlatform({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_BACKOFF_MS: '200', WEBHOOK_TIMEOUT_MS: '2000', REDIS_COMMAND_TIMEOUT_MS: '1000' } });
  // The notifications consumer starts from its creation on (deliver policy new): wait for it.
  const nc = await connect({ servers: f.nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => jsm.consumers.info(eventsStreamName(), durableConsumers().gatewayNotifications.name).then(() => true, () => false), 20_000);
  } finally {
    await nc.close();
  }
});
afterAll(async () => {
  await f?.close();
  await receiver.close();
});

interface Probe {
  at: number;
  redisDown: boolean;
  ocsp: string;
  crl: number;
  /** A freeze without Idempotency-Key by a client allowed 1 call/s: the rate limiter's direction. */
  limited: number[];
}

describe('Redis stopped for 10 s during mixed load', () => {
  it('keeps OCSP and CRLs answering, refuses keyed calls cleanly, fails the rate limit open, and delivers every webhook afterwards', async () => {
    const sub = await api(f.p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/hooks'), eventTypes: ['certificate.*'] });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    const slow = await f.p.gateway!.get(ClientsService).register({ name: 'slow system', department: 'tests', operations: ['certificates:issue', 'certificates:read', 'certificates:freeze'], rateLimitPerSecond: 1 });
    const [csr] = await makeCsrs(f.dir, 1);
    const probeCert = await send(f.p.baseUrl, 'issue', '/api/v1/certificates', issueBody(csr));
    expect(probeCert.status).toBe(201);
    const answer = probeCert.answer as { caId: string; certificatePem: string; chainPem: string[] };
    const leaf = f.dir.file('probe-leaf.pem', answer.certificatePem);
    const issuing = f.dir.file('probe-issuing.pem', answer.chainPem[0]);
    const bundle = f.dir.file('probe-bundle.pem', answer.chainPem.slice(1).join('') + answer.chainPem[0]);

    const probes: Probe[] = [];
    let redisDown = false;
    const probe = async () => {
      const at = Date.now();
      const down = redisDown;
      const o = await opensslAsync(['ocsp', '-issuer', issuing, '-cert', leaf, '-url', `${f.p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-timeout', '5']);
      const ocsp = /: (good|revoked)/.exec(o.out)?.[1] ?? (/trylater/i.test(o.out) ? 'tryLater' : `error: ${o.out.slice(0, 120)}`);
      const crl = (await fetch(`${f.p.baseUrl}/pki/crl/${answer.caId}.crl`, { signal: AbortSignal.timeout(5000) }).catch(() => ({ status: 0 }))).status;
      // Three calls within one second by a client allowed one a second (no Idempotency-Key: that needs Redis).
      const limited = await Promise.all([0, 1, 2].map(async () => (await api(f.p.baseUrl, 'GET', `/api/v1/certificates/${probeCert.ref}`, undefined, { 'x-api-key': slow.apiKey })).status));
      probes.push({ at, redisDown: down, ocsp, crl, limited });
    };

    const { report, during } = await runFault(f, 'Redis stopped 10 s (restarted empty)', async () => {
      await probe();
      await f.redis.stop('SIGKILL');
      redisDown = true;
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        await probe();
        await sleep(500);
      }
      await f.redis.start();
      redisDown = false;
    });
    await probe();

    // Webhooks: every certificate event committed after the subscription reaches the receiver.
    const events = (await f.p.db.query<{ id: string }>("SELECT id::text FROM cert.outbox WHERE type LIKE 'certificate.%' AND created_at >= (SELECT created_at FROM gateway.webhook_subscription LIMIT 1)")).rows.map((r) => r.id);
    const delivered = () => new Set(receiver.at('/hooks').map((w) => w.body.id));
    await waitFor(async () => events.every((id) => delivered().has(id)), 60_000, 500).catch(() => undefined);
    const missing = events.filter((id) => !delivered().has(id));
    const copies = receiver.at('/hooks').length - delivered().size;
    // Each service puts back what it scheduled once its connection is ready again.
    const prefix = f.p.config.ECERT_REDIS_PREFIX;
    await waitFor(async () => (await missingSchedulers(f.redis.url, prefix)).length === 0, 20_000, 500).catch(() => undefined);
    const schedulersMissing = await missingSchedulers(f.redis.url, prefix);

    const down = probes.filter((p) => p.redisDown);
    console.log(
      [
        `   probes while Redis was down: ${down.length}; OCSP ${JSON.stringify(count(down.map((p) => p.ocsp)))}; CRL ${JSON.stringify(count(down.map((p) => String(p.crl))))}; rate-limited client (1/s, 3 calls) ${JSON.stringify(count(down.flatMap((p) => p.limited.map(String))))}`,
        `   probes with Redis up: OCSP ${JSON.stringify(count(probes.filter((p) => !p.redisDown).map((p) => p.ocsp)))}; CRL ${JSON.stringify(count(probes.filter((p) => !p.redisDown).map((p) => String(p.crl))))}; rate-limited client ${JSON.stringify(count(probes.filter((p) => !p.redisDown).flatMap((p) => p.limited.map(String))))}`,
        `   webhooks: ${events.length} certificate events, ${events.length - missing.length} delivered, ${missing.length} missing, ${copies} delivered more than once`,
        `   job schedulers after Redis came back empty: ${SCHEDULERS.length - schedulersMissing.length} of ${SCHEDULERS.length} scheduled again${schedulersMissing.length ? ` (missing: ${schedulersMissing.join(', ')})` : ''}`,
      ].join('\n'),
    );

    expect(down.length).toBeGreaterThanOrEqual(3);
    expect(down.every((p) => p.ocsp === 'good' || p.ocsp === 'revoked' || p.ocsp === 'tryLater'), JSON.stringify(down)).toBe(true);
    expect(down.every((p) => p.crl === 200)).toBe(true);
    // The documented direction: while Redis is gone nobody is rate-limited (429); with Redis up they are.
    expect(down.flatMap((p) => p.limited)).not.toContain(429);
    expect(probes.filter((p) => !p.redisDown).flatMap((p) => p.limited)).toContain(429);
    expect(during.some(isClean503), 'the outage must have been felt').toBe(true);
    expect(report.acknowledged.issue).toBeGreaterThan(5);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.halfWritten).toEqual([]);
    expect(report.unclean).toEqual([]);
    expect(report.recoveredMs).toBeDefined();
    expect(report.recoveredMs!).toBeLessThan(15_000);
    expect(missing).toEqual([]);
    expect(schedulersMissing).toEqual([]);
  });
});

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
