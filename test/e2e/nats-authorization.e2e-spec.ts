import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { bulkEventSubject, BUS_PRINCIPALS, EVENTS_STREAM, eventSubject, natsPrefix, Subjects, type BusPrincipal } from '@ecert/contracts';
import { bodyDigest, BusIdentity, inboxPrefixOf, natsAuthorizationConfig, provisionEvents } from '@ecert/messaging';
import { freePort, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { MetricsScrape } from '../../apps/gateway/src/operations/metrics-scrape.service';
import { ReminderJobs } from '../../apps/cert-service/src/batch/reminders/reminder-jobs.service';

/**
 * Issue 8: the whole platform on a private nats-server that runs with authorisation, each
 * service with its own user and only the subjects it needs (libs/messaging nats-authorization).
 * The platform works; a process holding the seal-service's credentials cannot issue or revoke,
 * cannot publish certificate events, and cannot read others' replies.
 */
const dir = new TempDir();
let nats: ChildProcess;
let url: string;
let p: TestPlatform;
const passwords = Object.fromEntries(BUS_PRINCIPALS.map((b) => [b, randomBytes(12).toString('hex')])) as Record<BusPrincipal, string>;
const operator = { user: 'operator', password: randomBytes(12).toString('hex') };
const SERVICE_PRINCIPAL = { cert: 'cert-service', seal: 'seal-service', workflow: 'workflow-service', gateway: 'gateway' } as const;

beforeAll(async () => {
  const port = await freePort();
  url = `nats://127.0.0.1:${port}`;
  const conf = dir.file(
    'nats.conf',
    `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(dir.path)} }\n${natsAuthorizationConfig({ prefix: natsPrefix, passwords, operator })}`,
  );
  nats = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
  await waitFor(async () => {
    const nc = await connect({ servers: url, timeout: 500, user: operator.user, pass: operator.password }).catch(() => undefined);
    await nc?.close();
    return !!nc;
  }, 10_000);
  // With authorisation the services may not create the stream or consumers: the operator does.
  const op = await connect({ servers: url, user: operator.user, pass: operator.password });
  await provisionEvents(op, 1);
  await op.close();
  p = await startTestPlatform({
    env: { NATS_URL: url, NATS_USER: operator.user, NATS_PASSWORD: operator.password },
    envFor: (s) => ({ NATS_USER: SERVICE_PRINCIPAL[s], NATS_PASSWORD: passwords[SERVICE_PRINCIPAL[s]] }),
  });
});

afterAll(async () => {
  try {
    await p?.close();
  } finally {
    // Whatever happened above, the private server must not outlive the run.
    if (nats && nats.exitCode === null) {
      await new Promise((r) => {
        nats.once('exit', r);
        nats.kill('SIGTERM');
      });
    }
    dir.remove();
  }
});

const as = (principal: BusPrincipal) => connect({ servers: url, user: principal, pass: passwords[principal], inboxPrefix: inboxPrefixOf(principal) });

async function rejects(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(() => undefined, (err: Error) => err);
  expect(e, 'expected a refusal').toBeInstanceOf(Error);
  return String((e as Error).message);
}

describe('NATS with authorisation', () => {
  it('refuses a connection without credentials', async () => {
    expect(await rejects(connect({ servers: url, timeout: 2000, reconnect: false }))).toMatch(/auth|Authorization/i);
  });

  it('runs the platform: issue, freeze, and the seal-service follows the events', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '测试单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'AUTH-1' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${r.body.serial}/freeze`, {})).status).toBe(200);
    await waitFor(async () => (await p.db.query('SELECT 1 FROM seal.inbox WHERE aggregate_id = $1 AND type = $2', [r.body.serial, 'certificate.frozen'])).rowCount);
    const h = await api(p.baseUrl, 'GET', '/api/v1/health');
    expect(h.status, JSON.stringify(h.body)).toBe(200);
  });

  it("lets the gateway gather every service's metrics and overview (the operators' view)", async () => {
    const { text } = await p.gateway!.get(MetricsScrape).exposition();
    for (const target of ['cert-service', 'seal-service', 'workflow-service']) {
      expect(text).toMatch(new RegExp(`^ecert_scrape_service_up\\{target="${target}",service="gateway",instance="[^"]+"\\} 1$`, 'm'));
      // Every instance answers on its own subscription, through the events connection's permissions.
      expect(text).toMatch(new RegExp(`^ecert_scrape_instances\\{target="${target}",service="gateway",instance="[^"]+"\\} 1$`, 'm'));
    }
    const o = await api(p.baseUrl, 'GET', '/api/v1/operations/overview');
    expect(o.status, JSON.stringify(o.body)).toBe(200);
    expect(o.body.unavailable).toEqual([]);
  });

  it('lets neither the seal-service nor the workflow-service pull metrics or overviews', async () => {
    const subjects = [Subjects.cert.operationsMetrics, Subjects.seal.operationsMetrics, Subjects.workflow.operationsMetrics, Subjects.cert.operationsOverview, Subjects.workflow.operationsOverview];
    for (const principal of ['seal-service', 'workflow-service'] as const) {
      const nc = await as(principal);
      const identity = BusIdentity.fromConfig(p.config, principal);
      try {
        for (const subject of subjects) {
          const token = identity.issueContext({ rid: 'x', ops: ['operations:read'], reg: ['000000'], sub: subject, bdy: bodyDigest({}) }, 30);
          const payload = JSON.stringify({ meta: { requestId: 'x', context: token }, data: {} });
          expect(await rejects(nc.request(subject, payload, { timeout: 3000 })), `${principal} → ${subject}`).toMatch(/permission/i);
        }
      } finally {
        await nc.close().catch(() => undefined);
      }
    }
  });

  it("with the seal-service's credentials: no issuing, no revoking, no certificate events, no others' replies", async () => {
    const nc: NatsConnection = await as('seal-service');
    const identity = BusIdentity.fromConfig(p.config, 'seal-service');
    const body = (subject: string, data: unknown) => {
      const token = identity.issueContext({ rid: 'x', ops: ['certificates:issue', 'certificates:manage'], reg: ['000000'], sub: subject, bdy: bodyDigest(data) }, 30);
      return JSON.stringify({ pattern: subject, data: { meta: { requestId: 'x', context: token }, data }, id: randomUUID() });
    };
    for (const subject of [Subjects.cert.issue, Subjects.cert.revoke, Subjects.cert.freeze]) {
      expect(await rejects(nc.request(subject, body(subject, { serial: '0a' }), { timeout: 3000 }))).toMatch(/permission/i);
    }
    // Publishing a certificate event: the server refuses it, the stream never holds it.
    const js = jetstream(nc);
    expect(await rejects(js.publish(eventSubject('certificate.renewed'), JSON.stringify({ id: randomUUID(), type: 'certificate.renewed' }), { timeout: 3000 }))).toMatch(/permission|timeout|no responders/i);
    // Nor on the bulk lane.
    expect(await rejects(js.publish(bulkEventSubject('certificate.invalidated'), JSON.stringify({ id: randomUUID(), type: 'certificate.invalidated' }), { timeout: 3000 }))).toMatch(/permission|timeout|no responders/i);
    const op = await connect({ servers: url, user: operator.user, pass: operator.password });
    const info = await (await jetstreamManager(op)).streams.info(EVENTS_STREAM);
    const stored = await (await jetstreamManager(op)).streams.getMessage(EVENTS_STREAM, { last_by_subj: eventSubject('certificate.renewed') }).catch(() => undefined);
    expect(stored ?? undefined).toBeUndefined();
    expect(info.state.messages).toBeGreaterThan(0);
    // Subscribing to the gateway's replies or the cert-service's commands is refused.
    for (const subject of [`${inboxPrefixOf('gateway')}.>`, `${natsPrefix}.v1.cert.>`]) {
      const errors: string[] = [];
      const s = nc.subscribe(subject, { callback: (err) => {
          if (err) errors.push(err.message);
        } });
      await nc.flush();
      await waitFor(async () => errors.length > 0 || s.isClosed(), 3000);
    }
    await op.close();
    await nc.close().catch(() => undefined);
  });

  it('lets the cert-service publish on the bulk lane its invalidations only; the stream holds them', async () => {
    const nc = await as('cert-service');
    const op = await connect({ servers: url, user: operator.user, pass: operator.password });
    try {
      const js = jetstream(nc);
      // Unsigned junk: the consumers refuse it; what is tested here is the server's fence.
      const ack = await js.publish(bulkEventSubject('certificate.invalidated'), JSON.stringify({ probe: randomUUID() }), { timeout: 3000 });
      expect(ack.stream).toBe(EVENTS_STREAM);
      expect(await rejects(js.publish(`${natsPrefix}.bulk.v1.certificate.frozen`, JSON.stringify({ id: randomUUID(), type: 'certificate.frozen' }), { timeout: 3000 }))).toMatch(/permission|timeout|no responders/i);
      const info = await (await jetstreamManager(op)).streams.info(EVENTS_STREAM);
      expect(info.config.subjects).toEqual([`${natsPrefix}.evt.>`, `${natsPrefix}.bulk.>`]);
    } finally {
      await op.close();
      await nc.close().catch(() => undefined);
    }
  });

  it('lets no service change the events stream, create consumers, or read another\'s consumer', async () => {
    const nc = await as('workflow-service');
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    // Widening the stream to capture command subjects, as a stolen workflow-service credential might.
    const stream = await (async () => {
      const op = await connect({ servers: url, user: operator.user, pass: operator.password });
      const info = await (await jetstreamManager(op)).streams.info(EVENTS_STREAM);
      await op.close();
      return info.config;
    })();
    expect(await rejects(jsm.streams.update(EVENTS_STREAM, { ...stream, subjects: [...stream.subjects, Subjects.cert.issue] }))).toMatch(/permission|timeout/i);
    // A push consumer delivering into the cert-service's command subject.
    expect(
      await rejects(jsm.consumers.add(EVENTS_STREAM, { durable_name: 'inject', deliver_subject: Subjects.cert.freeze, deliver_group: 'cert-service', ack_policy: 'none' as never })),
    ).toMatch(/permission|timeout/i);
    // Pulling (and so acknowledging away) the seal-service's events.
    const theirs = (await import('@ecert/contracts')).durableConsumers().sealCertificates.name;
    expect(await rejects(jetstream(nc).consumers.get(EVENTS_STREAM, theirs).then((c) => c.next({ expires: 1000 })))).toMatch(/permission|timeout/i);
    await nc.close().catch(() => undefined);
  });

  it('lets no caller aim a service\'s reply at the JetStream API (no stream purge by reply subject)', async () => {
    const op = await connect({ servers: url, user: operator.user, pass: operator.password });
    const before = (await (await jetstreamManager(op)).streams.info(EVENTS_STREAM)).state.messages;
    expect(before).toBeGreaterThan(0);
    const nc = await as('seal-service');
    const data = {};
    const token = BusIdentity.fromConfig(p.config, 'seal-service').issueContext({ rid: 'p', ops: [], reg: ['000000'], sub: Subjects.cert.caList, bdy: bodyDigest(data) }, 30);
    nc.publish(Subjects.cert.caList, JSON.stringify({ pattern: Subjects.cert.caList, data: { meta: { requestId: 'p', context: token }, data }, id: randomUUID() }), { reply: `$JS.API.STREAM.PURGE.${EVENTS_STREAM}` });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await (await jetstreamManager(op)).streams.info(EVENTS_STREAM)).state.messages).toBeGreaterThanOrEqual(before);
    await op.close();
    await nc.close().catch(() => undefined);
  });

  it('lets the seal-service use the seal-maker subject and nobody else, not even the gateway', async () => {
    const nc = await as('gateway');
    const token = BusIdentity.fromConfig(p.config, 'gateway').issueContext({ rid: 'g', ops: [], reg: ['000000'], sub: Subjects.cert.sealMakerSign, bdy: bodyDigest({ data: '' }) }, 30);
    const msg = JSON.stringify({ pattern: Subjects.cert.sealMakerSign, data: { meta: { requestId: 'g', context: token }, data: { data: '' } }, id: randomUUID() });
    expect(await rejects(nc.request(Subjects.cert.sealMakerSign, msg, { timeout: 3000 }))).toMatch(/permission/i);
    await nc.close().catch(() => undefined);
  });

  it("lets the cert-service ask the workflow-service's calendar for its reminders, and the seal-service not", async () => {
    // A day whose renewal window lies inside the years the bundled calendar knows: the run's answer
    // then says the calendar came over the bus (it throws when it cannot), whatever today is. (From
    // 2026-12-04, Shanghai time, today's window reaches into 2027, which needs its override loaded.)
    const result = await p.services.cert!.get(ReminderJobs).runOnce(new Date('2026-06-01T09:00:00+08:00'));
    expect(result.calendarIncomplete).toBe(false);
    const nc = await as('seal-service');
    const msg = JSON.stringify({ pattern: Subjects.workflow.calendarOverrides, data: { meta: { requestId: 's', context: 'x' }, data: {} }, id: randomUUID() });
    expect(await rejects(nc.request(Subjects.workflow.calendarOverrides, msg, { timeout: 3000 }))).toMatch(/permission/i);
    await nc.close().catch(() => undefined);
  });
});
