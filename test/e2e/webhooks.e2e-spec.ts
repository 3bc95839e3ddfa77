import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { requestContext, verifyWebhookSignature } from '@ecert/common';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Queue } from 'bullmq';
import {
  bulkEventSubject,
  bullPrefix,
  durableConsumers,
  EVENT_SIGNATURE_HEADER,
  EVENT_SIGNER_HEADER,
  EVENTS_STREAM,
  eventSubject,
  NOTIFIER_ACTOR,
  QueueNames,
  Subjects,
  type CertificateRenewalDueData,
  type DomainEvent,
} from '@ecert/contracts';
import { BusIdentity } from '@ecert/messaging';
import { freePort, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { WebhookReceiver } from '../support/webhook-receiver';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { RpcClient } from '../../apps/gateway/src/rpc/rpc-client.service';
import { WebhookDispatcher } from '../../apps/gateway/src/notifications/deliveries/webhook-dispatcher.service';
import { MailNotifier } from '../../apps/gateway/src/notifications/mail/mail-notifier.service';

/**
 * Issue 12 §3 (e-mail) and §4 through the gateway: a real HTTP receiver and a real SMTP server.
 * Retries are fast here (WEBHOOK_BACKOFF_MS) and attempts short (WEBHOOK_TIMEOUT_MS); nothing
 * waits on a fixed sleep: every assertion waits for the state it needs.
 */
let p: TestPlatform;
const dir = new TempDir();
const receiver = new WebhookReceiver();
const mails: ParsedMail[] = [];
let smtp: SMTPServer;
let smtpBusy = 0;
let guangxi: Record<string, string>;
let guangdong: Record<string, string>;

const MAX_ATTEMPTS = 4;

beforeAll(async () => {
  await receiver.start();
  const smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((m) => {
        // A server that is busy once: the mail must come again (the queue's retry).
        if (smtpBusy > 0) return smtpBusy--, callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        mails.push(m);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  p = await startTestPlatform({
    services: ['cert', 'workflow', 'gateway'],
    env: {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_BACKOFF_MS: '100',
      WEBHOOK_TIMEOUT_MS: '800',
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      WEBHOOK_SUBSCRIPTION_CONCURRENCY: '2',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'ecert 数字证书 <noreply@ecert.example.cn>',
      MAIL_BACKOFF_MS: '100',
      WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT: '12',
    },
  });
  // The notifications consumer starts from its creation (not the retained stream): wait for it.
  await consumerExists();
  const clients = p.gateway!.get(ClientsService);
  const gx = await clients.register({ name: '广西社保经办系统', department: '社保', operations: ['webhooks:manage', 'certificates:read', 'seals:read'], regionCodes: ['450000'] });
  const gd = await clients.register({ name: '广东社保经办系统', department: '社保', operations: ['webhooks:manage', 'certificates:read'], regionCodes: ['440000'] });
  guangxi = { 'x-api-key': gx.apiKey };
  guangdong = { 'x-api-key': gd.apiKey };
});

afterAll(async () => {
  await p?.close();
  await receiver.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  dir.remove();
});

async function subscribe(path: string, headers: Record<string, string>, eventTypes = ['certificate.*'], extra: Record<string, unknown> = {}) {
  const r = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url(path), eventTypes, ...extra }, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; secret: string; regionCodes: string[] };
}

async function issue(regionCode = '450100') {
  const { csr } = opensslCsr(dir, 'p256');
  const unit = { name: '南宁市某某科技有限公司', uscc: makeUscc(regionCode), regionCode, accountNo: `SI${Math.floor(Math.random() * 1e8)}` };
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...(r.body as { serial: string; notAfter: string }), unit };
}

async function deliveries(subscriptionId: string, headers: Record<string, string>) {
  const r = await api(p.baseUrl, 'GET', `/api/v1/webhooks/subscriptions/${subscriptionId}/deliveries?pageSize=100`, undefined, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items as { id: string; eventType: string; status: string; attempts: number; lastError: string | null; log: { startedAt: string; statusCode: number | null; error: string | null; durationMs: number }[] }[];
}

async function consumerExists() {
  const nc = await connect({ servers: p.config.NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => jsm.consumers.info(EVENTS_STREAM, durableConsumers().gatewayNotifications.name).then((c) => c.config.deliver_policy === 'new', () => false), 15_000);
  } finally {
    await nc.close();
  }
}

/** A client system of Guangxi with these operations, and its API key header. */
async function newClient(name: string, operations: string[]) {
  const c = await p.gateway!.get(ClientsService).register({ name, department: '社保', operations, regionCodes: ['450000'] });
  return { id: c.client.id as string, headers: { 'x-api-key': c.apiKey } };
}

/** Every outbox row is published and the gateway's notifications consumers (both lanes) have acknowledged everything they follow. */
async function notificationsCaughtUp() {
  await waitFor(async () => (await p.db.query('SELECT count(*)::int AS n FROM cert.outbox WHERE published_at IS NULL')).rows[0].n === 0, 15_000);
  const nc = await connect({ servers: p.config.NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    // Per consumer, not against the stream's last sequence: that may be an event of the other lane.
    await waitFor(async () => {
      for (const { name } of [durableConsumers().gatewayNotifications, durableConsumers().gatewayNotificationsBulk]) {
        const c = await jsm.consumers.info(EVENTS_STREAM, name);
        if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
      }
      return true;
    }, 15_000);
  } finally {
    await nc.close();
  }
}

/** The most attempts that were under way at one moment. */
function maxOverlap(attempts: { startedAt: string; durationMs: number }[]): number {
  const edges = attempts.flatMap((a) => [
    [Date.parse(a.startedAt), 1],
    [Date.parse(a.startedAt) + a.durationMs, -1],
  ]);
  // An attempt ending at the very millisecond another starts does not overlap it.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (open += d));
  return max;
}

/** An application row as the workflow-service leaves it (reaching completed through the API takes the whole review and production). */
async function insertApplication(cert: { serial: string; unit: { name: string; uscc: string; accountNo: string } }, handler: { name: string; email: string }, fields: { type: string; status: string; results?: object; targetSerial?: string; closedAt: string }) {
  const id = randomUUID();
  await p.db.query(
    `INSERT INTO workflow.application (id, type, channel, status, route, uscc, account_no, region_code, unit, handler, handler_id_hash, target_serial, results, limit_working_days, closed_at, updated_at)
     VALUES ($1, $2, 'on_site', $3, '{}', $4, $5, '450100', $6, $7, 'x', $8, $9, 10, $10, now())`,
    [id, fields.type, fields.status, cert.unit.uscc, cert.unit.accountNo, JSON.stringify({ name: cert.unit.name }), JSON.stringify(handler), fields.targetSerial ?? null, JSON.stringify(fields.results ?? {}), fields.closedAt],
  );
  return id;
}
const completedApplication = (cert: Parameters<typeof insertApplication>[0], handler: { name: string; email: string }) =>
  insertApplication(cert, handler, { type: 'apply', status: 'completed', results: { certificateSerial: cert.serial }, closedAt: new Date(Date.now() - 86_400_000).toISOString() });
const withdrawnApplication = (cert: Parameters<typeof insertApplication>[0], email: string) =>
  insertApplication(cert, { name: '冒充者', email }, { type: 'unlock', status: 'withdrawn', targetSerial: cert.serial, closedAt: new Date().toISOString() });

const subscriptionCount = async () => (await p.db.query('SELECT count(*)::int AS n FROM gateway.webhook_subscription')).rows[0].n as number;

describe('subscriptions: bad input', () => {
  it('refuses URLs that are not http(s), carry credentials or point at the platform; nothing is stored', async () => {
    const before = await subscriptionCount();
    const gatewayPort = new URL(p.baseUrl).port;
    const natsPort = new URL(p.config.NATS_URL).port || '4222';
    for (const url of ['ftp://example.cn/hook', 'file:///etc/passwd', 'not a url', `http://user:pw@127.0.0.1:${receiver.port}/x`, `http://127.0.0.1:${gatewayPort}/api/v1/health`, `http://localhost:${gatewayPort}/`, `http://127.0.0.1:${natsPort}/`, 'http://0.0.0.0:9/', `http://localhost.:${gatewayPort}/`, `http://127.0.0.1:${p.config.METRICS_PORT}/metrics`, 'http://169.254.169.254/latest/meta-data']) {
      const r = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url, eventTypes: ['certificate.*'] }, guangxi);
      expect(r.status, url).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code, url).toBe('webhook_url_refused');
      expect(r.body.field).toBe('url');
      expect(r.body.detail, url).not.toMatch(/resolves|127\.0\.0\.1|loopback|itself/);
    }
    const badType = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/x'), eventTypes: ['certificate.*', 'ukey.*'] }, guangxi);
    expect(badType.status).toBe(400);
    expect(badType.body).toMatchObject({ code: 'validation_failed', field: 'eventTypes[1]' });
    const foreignRegion = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/x'), eventTypes: ['certificate.*'], regionCodes: ['440100'] }, guangxi);
    expect(foreignRegion.status).toBe(400);
    expect(foreignRegion.body).toMatchObject({ code: 'validation_failed', field: 'regionCodes[0]' });
    const noTypes = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/x'), eventTypes: [] }, guangxi);
    expect(noTypes.status).toBe(400);
    expect(noTypes.body.field).toBe('eventTypes');
    expect(await subscriptionCount()).toBe(before);
    // A change with a bad part changes nothing, not even its good parts.
    const sub = await subscribe('/unchanged', guangxi, ['seal.*']);
    const patch = await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${sub.id}`, { url: `http://127.0.0.1:${gatewayPort}/`, eventTypes: ['certificate.*'], description: 'x' }, guangxi);
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject({ code: 'webhook_url_refused', field: 'url' });
    const after = await api(p.baseUrl, 'GET', `/api/v1/webhooks/subscriptions/${sub.id}`, undefined, guangxi);
    expect(after.body).toMatchObject({ url: receiver.url('/unchanged'), eventTypes: ['seal.*'], description: null });
    expect((await api(p.baseUrl, 'DELETE', `/api/v1/webhooks/subscriptions/${sub.id}`, undefined, guangxi)).status).toBe(200);
  });

  it('keeps subscriptions to their client: another client gets not found, a client without the operation is refused; changes are audited', async () => {
    const sub = await subscribe('/owned', guangxi);
    const other = await api(p.baseUrl, 'GET', `/api/v1/webhooks/subscriptions/${sub.id}`, undefined, guangdong);
    expect(other.status).toBe(404);
    const rotate = await api(p.baseUrl, 'POST', `/api/v1/webhooks/subscriptions/${sub.id}/rotate-secret`, undefined, guangdong);
    expect(rotate.status).toBe(404);
    const reader = await p.gateway!.get(ClientsService).register({ name: 'reader', department: 'x', operations: ['certificates:read'], regionCodes: ['450000'] });
    const refused = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/x'), eventTypes: ['certificate.*'] }, { 'x-api-key': reader.apiKey });
    expect(refused.status).toBe(403);
    const own = await api(p.baseUrl, 'GET', `/api/v1/webhooks/subscriptions/${sub.id}`, undefined, guangxi);
    expect(own.status).toBe(200);
    expect(own.body).not.toHaveProperty('secret');
    expect(own.body.regionCodes).toEqual(['450000']);
    const del = await api(p.baseUrl, 'DELETE', `/api/v1/webhooks/subscriptions/${sub.id}`, undefined, guangxi);
    expect(del.status).toBe(200);
    const { rows } = await p.db.query(`SELECT action FROM gateway.audit_log WHERE target = $1 AND outcome = 'success' ORDER BY seq`, [sub.id]);
    expect(rows.map((r) => r.action)).toEqual(['POST /api/v1/webhooks/subscriptions', 'DELETE /api/v1/webhooks/subscriptions/:id']);
  });
});

describe('deliveries', () => {
  it('signs each delivery, and delivers only within the subscriber\'s regions', async () => {
    const gx = await subscribe('/gx', guangxi);
    const gd = await subscribe('/gd', guangdong);
    const cert = await issue('450100');
    const got = await waitFor(async () => receiver.at('/gx').find((r) => r.body.data.serial === cert.serial));
    expect(got.body.type).toBe('certificate.issued');
    expect(got.body).not.toHaveProperty('actor');
    expect(got.headers['ecert-event-type']).toBe('certificate.issued');
    const header = got.headers['ecert-webhook-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(header, got.raw, gx.secret)).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(header, got.raw, gd.secret).ok).toBe(false);
    expect(verifyWebhookSignature(header, got.raw.replace(cert.serial, '00'), gx.secret).ok).toBe(false);
    // Deliveries of one event are written in one transaction: none for Guangdong means none ever.
    await waitFor(async () => (await deliveries(gx.id, guangxi)).some((d) => d.status === 'succeeded'));
    expect(await deliveries(gd.id, guangdong)).toEqual([]);
    expect(receiver.at('/gd')).toEqual([]);
  });

  it('retries a receiver that fails then recovers, keeping the order per certificate', async () => {
    let failIssued = 2;
    receiver.on('/flaky', (r) => (r.body.type === 'certificate.issued' && failIssued-- > 0 ? 503 : 200));
    const sub = await subscribe('/flaky', guangxi);
    // Paused: deliveries are kept; so all three are waiting when the receiver starts failing.
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${sub.id}`, { status: 'paused' }, guangxi)).status).toBe(200);
    const cert = await issue('450102');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, { comment: '挂失' })).status).toBe(200);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/unfreeze`, { comment: '挂失恢复' })).status).toBe(200);
    await waitFor(async () => (await deliveries(sub.id, guangxi)).length === 3);
    expect(receiver.at('/flaky')).toEqual([]);
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${sub.id}`, { status: 'active' }, guangxi)).status).toBe(200);
    await waitFor(async () => (await deliveries(sub.id, guangxi)).every((d) => d.status === 'succeeded'), 20_000);
    const seen = receiver.at('/flaky').filter((r) => r.body.data.serial === cert.serial);
    expect(seen.map((r) => [r.body.type, r.answer])).toEqual([
      ['certificate.issued', 503],
      ['certificate.issued', 503],
      ['certificate.issued', 200],
      ['certificate.frozen', 200],
      ['certificate.unfrozen', 200],
    ]);
    expect(seen.map((r) => r.headers['ecert-delivery-attempt'])).toEqual(['1', '2', '3', '1', '1']);
    const log = await deliveries(sub.id, guangxi);
    expect(log.map((d) => d.eventType)).toEqual(['certificate.issued', 'certificate.frozen', 'certificate.unfrozen']);
    expect(log[0].attempts).toBe(3);
    expect(log[0].log.map((a) => a.statusCode)).toEqual([503, 503, 200]);
    expect(log[0].log[0].error).toBe('HTTP 503');
  });

  it('does not pile up on a receiver that never answers: attempts time out, it is dead-lettered, others are delivered; redelivery works', async () => {
    let answering = false;
    receiver.on('/silent', () => (answering ? 200 : 'hang'));
    const silent = await subscribe('/silent', guangxi);
    const healthy = await subscribe('/healthy', guangxi);
    const certs = [await issue('450103'), await issue('450103'), await issue('450103')];
    const serials = new Set(certs.map((c) => c.serial));
    await waitFor(async () => receiver.at('/healthy').filter((r) => serials.has(r.body.data.serial as string)).length === 3, 15_000);
    await waitFor(async () => (await deliveries(silent.id, guangxi)).filter((d) => d.status === 'dead').length === 3, 60_000, 250);
    const dead = await deliveries(silent.id, guangxi);
    for (const d of dead) {
      expect(d.attempts).toBe(MAX_ATTEMPTS);
      expect(d.log).toHaveLength(MAX_ATTEMPTS);
      for (const a of d.log) {
        expect(a.statusCode).toBeNull();
        expect(a.error).toBe('timeout');
      }
    }
    // The gateway had at most WEBHOOK_SUBSCRIPTION_CONCURRENCY attempts open at once (by its own
    // attempt log: the receiver notices a closed socket later), and none is left open.
    expect(maxOverlap(dead.flatMap((d) => d.log))).toBeLessThanOrEqual(2);
    expect(receiver.at('/silent')).toHaveLength(3 * MAX_ATTEMPTS);
    await waitFor(async () => receiver.openAt('/silent') === 0);
    const still = await api(p.baseUrl, 'POST', `/api/v1/webhooks/deliveries/${(await deliveries(healthy.id, guangxi))[0].id}/redeliver`, undefined, guangdong);
    expect(still.status).toBe(404);
    answering = true;
    const again = await api(p.baseUrl, 'POST', `/api/v1/webhooks/deliveries/${dead[0].id}/redeliver`, undefined, guangxi);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    await waitFor(async () => (await deliveries(silent.id, guangxi)).find((d) => d.id === dead[0].id)?.status === 'succeeded');
    // Only dead or delivered ones: one still waiting (its subscription paused) is a conflict, unchanged.
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${silent.id}`, { status: 'paused' }, guangxi)).status).toBe(200);
    const held = await issue('450103');
    const waiting = await waitFor(async () => (await deliveries(silent.id, guangxi)).find((d) => d.status === 'pending'));
    const conflict = await api(p.baseUrl, 'POST', `/api/v1/webhooks/deliveries/${waiting.id}/redeliver`, undefined, guangxi);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('illegal_state_transition');
    expect((await deliveries(silent.id, guangxi)).find((d) => d.id === waiting.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(receiver.at('/silent').some((r) => r.body.data.serial === held.serial)).toBe(false);
  });

  it('checks the target again when connecting: a name that now leads to the platform is refused', async () => {
    const sub = await subscribe('/moved', guangxi);
    // As if the name's DNS answer had changed since registration: it now resolves to the gateway.
    await p.db.query('UPDATE gateway.webhook_subscription SET url = $2 WHERE id = $1', [sub.id, `http://localhost:${new URL(p.baseUrl).port}/api/v1/health`]);
    const cert = await issue('450100');
    const d = await waitFor(async () => (await deliveries(sub.id, guangxi)).find((x) => x.status === 'dead'), 30_000);
    expect(d.log).toHaveLength(MAX_ATTEMPTS);
    for (const a of d.log) {
      expect(a.statusCode).toBeNull();
      // Coarse for the client: what the name resolved to stays in the gateway's log.
      expect(a.error).toBe('target refused');
    }
    expect(receiver.at('/moved').some((r) => r.body.data.serial === cert.serial)).toBe(false);
  });

  it('rotates the secret: both signatures are sent during the grace period', async () => {
    const sub = await subscribe('/rotated', guangxi);
    const rotated = await api(p.baseUrl, 'POST', `/api/v1/webhooks/subscriptions/${sub.id}/rotate-secret`, undefined, guangxi);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect(rotated.body.previousSecretValidUntil).toBeTruthy();
    const cert = await issue('450100');
    const got = await waitFor(async () => receiver.at('/rotated').find((r) => r.body.data.serial === cert.serial));
    const header = got.headers['ecert-webhook-signature'] as string;
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhookSignature(header, got.raw, rotated.body.secret).ok).toBe(true);
    expect(verifyWebhookSignature(header, got.raw, sub.secret).ok).toBe(true);
  });
});

describe('review fixes', () => {
  it('does not let a dead receiver with many open keys hold up another subscription', async () => {
    const dead = await newClient('死去的全国系统', ['webhooks:manage', 'certificates:read']);
    const alive = await newClient('活着的系统', ['webhooks:manage', 'certificates:read']);
    // Never answers: each of its attempts takes the whole timeout, so all 1500 would take hours.
    receiver.on('/dead-many', () => 'hang');
    const deadSub = await subscribe('/dead-many', dead.headers);
    const aliveSub = await subscribe('/alive', alive.headers);
    // 1500 older deliveries of 1500 certificates, all open for the dead receiver.
    await p.db.query(
      `INSERT INTO gateway.webhook_delivery (id, subscription_id, event_id, event_type, order_key, body)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), 'certificate.issued', 'certificate:DEAD' || g, '{"id":"x","type":"certificate.issued","data":{"serial":"DEAD"}}'
         FROM generate_series(1, 1500) g`,
      [deadSub.id],
    );
    await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${deadSub.id}`, { description: 'kick' }, dead.headers);
    const cert = await issue('450100');
    await waitFor(async () => receiver.at('/alive').some((r) => r.body.data.serial === cert.serial), 15_000);
    // The dead receiver never holds more than its slots in the queue.
    const { rows } = await p.db.query(
      `SELECT count(*)::int AS n FROM gateway.webhook_delivery WHERE subscription_id = $1 AND status IN ('pending', 'delivering', 'failed') AND queued_generation = generation`,
      [deadSub.id],
    );
    expect(rows[0].n).toBeLessThanOrEqual(2);
    expect((await deliveries(aliveSub.id, alive.headers)).map((d) => d.status)).toEqual(['succeeded']);
    expect((await api(p.baseUrl, 'DELETE', `/api/v1/webhooks/subscriptions/${deadSub.id}`, undefined, dead.headers)).status).toBe(200);
  });

  it('delivers the invalid list (certificate.invalidated) from the bulk lane, through its own consumer', async () => {
    const sub = await subscribe('/invalid-list', guangxi, ['certificate.invalidated']);
    const cert = await issue('450100');
    // As the cert-service's relay publishes a 第二十条 run's event: signed, on the bulk subject.
    const event: DomainEvent = {
      id: randomUUID(), type: 'certificate.invalidated', version: 1, occurredAt: new Date().toISOString(), aggregateId: cert.serial,
      data: { serial: cert.serial, caId: 'sm2-issuing', profile: 'unit', uscc: cert.unit.uscc, accountNo: cert.unit.accountNo, regionCode: '450100', status: 'invalid', notAfter: cert.notAfter, version: 2, invalidReason: 'idle' },
    };
    const body = new TextEncoder().encode(JSON.stringify(event));
    const h = natsHeaders();
    h.set(EVENT_SIGNER_HEADER, 'cert-service');
    h.set(EVENT_SIGNATURE_HEADER, BusIdentity.fromConfig(p.config, 'cert-service').signBytes(body));
    const nc = await connect({ servers: p.config.NATS_URL });
    try {
      await jetstream(nc).publish(bulkEventSubject('certificate.invalidated'), body, { msgID: event.id, headers: h });
    } finally {
      await nc.close();
    }
    const got = await waitFor(async () => receiver.at('/invalid-list').find((r) => r.body.id === event.id), 15_000);
    expect(got.body).toMatchObject({ type: 'certificate.invalidated', aggregateId: cert.serial, data: { serial: cert.serial, invalidReason: 'idle' } });
    expect((await deliveries(sub.id, guangxi)).map((d) => d.eventType)).toEqual(['certificate.invalidated']);
    // The notifications' one inbox: recorded under the ordinary consumer's key.
    const { rows } = await p.db.query('SELECT consumer FROM gateway.inbox WHERE event_id = $1 ORDER BY consumer', [event.id]);
    expect(rows.map((r: { consumer: string }) => r.consumer)).toContain(durableConsumers().gatewayNotifications.name);
    expect(rows.map((r: { consumer: string }) => r.consumer)).not.toContain(durableConsumers().gatewayNotificationsBulk.name);
  });

  it('needs the family\'s read operation to subscribe, and again when an event is fanned out', async () => {
    const manageOnly = await newClient('只管订阅', ['webhooks:manage']);
    for (const [i, t] of [[0, 'certificate.*'], [0, 'certificate.invalidated'], [0, 'seal.*'], [0, 'application.*']] as const) {
      const r = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/x'), eventTypes: [t] }, manageOnly.headers);
      expect(r.status, t).toBe(403);
      expect(r.body.field).toBe(`eventTypes[${i}]`);
    }
    const reader = await newClient('先能读后不能', ['webhooks:manage', 'certificates:read']);
    const sub = await subscribe('/withdrawn-read', reader.headers);
    const seen = await issue('450100');
    await waitFor(async () => receiver.at('/withdrawn-read').some((r) => r.body.data.serial === seen.serial), 15_000);
    await p.db.query(`UPDATE gateway.client SET operations = ARRAY['webhooks:manage'] WHERE id = $1`, [reader.id]);
    const unseen = await issue('450100');
    await notificationsCaughtUp();
    const log = await deliveries(sub.id, reader.headers);
    expect(log).toHaveLength(1);
    expect(receiver.at('/withdrawn-read').some((r) => r.body.data.serial === unseen.serial)).toBe(false);
  });

  it('records a secret that cannot be opened as a failed attempt, dead-letters it, and a rotation recovers', async () => {
    const c = await newClient('密钥失效', ['webhooks:manage', 'certificates:read']);
    const sub = await subscribe('/unreadable', c.headers);
    // As after a change of ECERT_TOKEN_SECRET: the sealed secret no longer opens.
    await p.db.query(`UPDATE gateway.webhook_subscription SET secret_sealed = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA' WHERE id = $1`, [sub.id]);
    await issue('450100');
    const d = await waitFor(async () => (await deliveries(sub.id, c.headers)).find((x) => x.status === 'dead'), 30_000);
    expect(d.attempts).toBe(MAX_ATTEMPTS);
    expect(d.log.map((a) => a.error)).toEqual(Array(MAX_ATTEMPTS).fill('signing secret unavailable'));
    expect(receiver.at('/unreadable')).toEqual([]);
    const rotated = await api(p.baseUrl, 'POST', `/api/v1/webhooks/subscriptions/${sub.id}/rotate-secret`, undefined, c.headers);
    expect(rotated.status).toBe(200);
    expect((await api(p.baseUrl, 'POST', `/api/v1/webhooks/deliveries/${d.id}/redeliver`, undefined, c.headers)).status).toBe(200);
    const got = await waitFor(async () => receiver.at('/unreadable')[0]);
    const header = got.headers['ecert-webhook-signature'] as string;
    expect(header.match(/v1=/g)).toHaveLength(1);
    expect(verifyWebhookSignature(header, got.raw, rotated.body.secret).ok).toBe(true);
    await waitFor(async () => (await deliveries(sub.id, c.headers)).find((x) => x.id === d.id)?.status === 'succeeded');
  });

  it('redelivers an old delivery only once the newer one of its key is no longer under way', async () => {
    const c = await newClient('重发顺序', ['webhooks:manage', 'certificates:read']);
    let hangFrozen = true;
    receiver.on('/redeliver-order', (r) => (r.body.type === 'certificate.issued' ? (hangFrozen ? 500 : 200) : r.body.type === 'certificate.frozen' && hangFrozen ? 'hang' : 200));
    const sub = await subscribe('/redeliver-order', c.headers);
    const cert = await issue('450100');
    const issued = await waitFor(async () => (await deliveries(sub.id, c.headers)).find((x) => x.eventType === 'certificate.issued' && x.status === 'dead'), 30_000);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, { comment: '挂失' })).status).toBe(200);
    // The frozen event's attempt is open at the receiver: now the old one is sent again.
    await waitFor(async () => receiver.openAt('/redeliver-order') === 1);
    expect((await api(p.baseUrl, 'POST', `/api/v1/webhooks/deliveries/${issued.id}/redeliver`, undefined, c.headers)).status).toBe(200);
    hangFrozen = false;
    await waitFor(async () => (await deliveries(sub.id, c.headers)).every((x) => x.status === 'succeeded'), 30_000);
    const log = await deliveries(sub.id, c.headers);
    const frozenFirst = log.find((x) => x.eventType === 'certificate.frozen')!.log[0];
    const redelivered = log.find((x) => x.id === issued.id)!.log[MAX_ATTEMPTS];
    expect(Date.parse(redelivered.startedAt)).toBeGreaterThanOrEqual(Date.parse(frozenFirst.startedAt) + frozenFirst.durationMs);
    // Each event carries the version where its data has one, for receivers to order by.
    const received = receiver.at('/redeliver-order');
    expect(received.map((r) => [r.body.type, r.headers['ecert-aggregate-version']]).filter(([, v]) => v === undefined)).toEqual([]);
    for (const r of received) expect(r.headers['ecert-aggregate-version']).toBe(String(r.body.data.version));
  });

  it('counts the retry budget in the database: a delivery put back (paused, not its turn) does not start afresh', async () => {
    const c = await newClient('重试预算', ['webhooks:manage', 'certificates:read']);
    receiver.on('/budget', () => 500);
    const sub = await subscribe('/budget', c.headers);
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${sub.id}`, { status: 'paused' }, c.headers)).status).toBe(200);
    // As left by attempts before a pause: one attempt of the budget remains.
    const id = randomUUID();
    await p.db.query(
      `INSERT INTO gateway.webhook_delivery (id, subscription_id, event_id, event_type, order_key, body, attempts, generation) VALUES ($1, $2, $3, 'certificate.issued', 'certificate:BUDGET', '{"id":"x","type":"certificate.issued","data":{"serial":"BUDGET"}}', $4, 1)`,
      [id, sub.id, randomUUID(), MAX_ATTEMPTS - 1],
    );
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/webhooks/subscriptions/${sub.id}`, { status: 'active' }, c.headers)).status).toBe(200);
    const d = await waitFor(async () => (await deliveries(sub.id, c.headers)).find((x) => x.id === id && x.status === 'dead'), 15_000);
    expect(d.attempts).toBe(MAX_ATTEMPTS);
    expect(receiver.at('/budget')).toHaveLength(1);
  });

  it('re-queues a delivery whose job was lost from Redis (the sweep), and delivers it once', async () => {
    const c = await newClient('丢失的任务', ['webhooks:manage', 'certificates:read']);
    const sub = await subscribe('/lost-job', c.headers);
    const dispatcher = p.gateway!.get(WebhookDispatcher);
    const sweep = () => (dispatcher as unknown as { sweep(): Promise<void> }).sweep();
    const queue = new Queue(QueueNames.webhooks, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
    const id = randomUUID();
    const eventId = randomUUID();
    try {
      // Paused, so the job stays in Redis until it is taken away (no worker picks it up first).
      await queue.pause();
      await p.db.query(
        `INSERT INTO gateway.webhook_delivery (id, subscription_id, event_id, event_type, order_key, body) VALUES ($1, $2, $3, 'certificate.issued', 'certificate:LOST', $4)`,
        [id, sub.id, eventId, JSON.stringify({ id: eventId, type: 'certificate.issued', occurredAt: new Date().toISOString(), aggregateId: 'LOST', data: { serial: 'LOST' } })],
      );
      await dispatcher.enqueueReady([sub.id]);
      const [row] = (await p.db.query('SELECT generation, queued_generation FROM gateway.webhook_delivery WHERE id = $1', [id])).rows;
      expect(row.queued_generation).toBe(row.generation);
      const jobId = `${id}_${row.generation}`;
      expect(await queue.getJobState(jobId)).not.toBe('unknown');
      // The job is lost (Redis emptied, evicted, an operator's clean): the row still says queued.
      await queue.remove(jobId);
      expect(await queue.getJobState(jobId)).toBe('unknown');
      await queue.resume();
      // Nothing else would send it: being queued, it is not queued again, and within the minute a job may still be on its way.
      await dispatcher.enqueueReady([sub.id]);
      await sweep();
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.at('/lost-job')).toEqual([]);
      expect((await p.db.query('SELECT status, attempts FROM gateway.webhook_delivery WHERE id = $1', [id])).rows[0]).toEqual({ status: 'pending', attempts: 0 });
      // A minute later, the sweep finds it without its job and queues it again.
      await p.db.query(`UPDATE gateway.webhook_delivery SET queued_at = now() - interval '61 seconds' WHERE id = $1`, [id]);
      await sweep();
      const got = await waitFor(async () => receiver.at('/lost-job')[0], 10_000);
      expect(got.body).toMatchObject({ id: eventId, type: 'certificate.issued', data: { serial: 'LOST' } });
      expect(got.headers['ecert-delivery-id']).toBe(id);
      expect(verifyWebhookSignature(got.headers['ecert-webhook-signature'] as string, got.raw, sub.secret).ok).toBe(true);
      await waitFor(async () => (await deliveries(sub.id, c.headers)).find((d) => d.id === id && d.status === 'succeeded'));
      // Once: later sweeps find it delivered.
      await sweep();
      await sweep();
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.at('/lost-job')).toHaveLength(1);
      expect((await deliveries(sub.id, c.headers)).find((d) => d.id === id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    } finally {
      await queue.resume().catch(() => undefined);
      await queue.close();
    }
  });

  it('prunes finished deliveries and e-mails older than the retention', async () => {
    const c = await newClient('保留期限', ['webhooks:manage', 'certificates:read']);
    const sub = await subscribe('/retention', c.headers);
    const old = randomUUID();
    const recent = randomUUID();
    const open = randomUUID();
    const row = `'certificate.issued', 'certificate:RET', '{}'`;
    await p.db.query(
      `INSERT INTO gateway.webhook_delivery (id, subscription_id, event_id, event_type, order_key, body, status, created_at) VALUES
         ($1, $4, gen_random_uuid(), ${row}, 'succeeded', now() - interval '100 days'),
         ($2, $4, gen_random_uuid(), ${row}, 'succeeded', now() - interval '1 day'),
         ($3, $4, gen_random_uuid(), 'certificate.issued', 'certificate:RET2', '{}', 'failed', now() - interval '100 days')`,
      [old, recent, open, sub.id],
    );
    await p.db.query(`INSERT INTO gateway.webhook_delivery_attempt (delivery_id, attempt, started_at, duration_ms, outcome) VALUES ($1, 1, now(), 1, 'succeeded')`, [old]);
    const oldMail = randomUUID();
    await p.db.query(`INSERT INTO gateway.mail_delivery (id, event_id, event_type, certificate_serial, data, status, created_at) VALUES ($1, gen_random_uuid(), 'certificate.expired', 'AB', '{}', 'sent', now() - interval '100 days')`, [oldMail]);
    // Paused, so the open one is not sent while we look.
    await p.db.query(`UPDATE gateway.webhook_subscription SET status = 'paused' WHERE id = $1`, [sub.id]);
    await p.gateway!.get(WebhookDispatcher).prune();
    const left = (await p.db.query('SELECT id FROM gateway.webhook_delivery WHERE subscription_id = $1', [sub.id])).rows.map((r) => r.id);
    expect(left.sort()).toEqual([recent, open].sort());
    expect((await p.db.query('SELECT count(*)::int AS n FROM gateway.webhook_delivery_attempt WHERE delivery_id = $1', [old])).rows[0].n).toBe(0);
    expect((await p.db.query('SELECT count(*)::int AS n FROM gateway.mail_delivery WHERE id = $1', [oldMail])).rows[0].n).toBe(0);
  });

  it('caps the subscriptions of one client', async () => {
    const c = await newClient('订阅上限', ['webhooks:manage', 'certificates:read']);
    for (let i = 0; i < 12; i++) await subscribe(`/cap-${i}`, c.headers);
    const r = await api(p.baseUrl, 'POST', '/api/v1/webhooks/subscriptions', { url: receiver.url('/cap-13'), eventTypes: ['certificate.*'] }, c.headers);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('webhook_subscription_limit');
    expect((await p.db.query('SELECT count(*)::int AS n FROM gateway.webhook_subscription WHERE client_id = $1', [c.id])).rows[0].n).toBe(12);
  });
});

describe('renewal reminders (第十七条)', () => {
  it('gives handler contacts to the gateway\'s notifier only (checked by the workflow-service)', async () => {
    const rpc = p.gateway!.get(RpcClient);
    const ask = (ctx: Parameters<typeof requestContext.run>[0]) => requestContext.run(ctx, () => rpc.call(Subjects.workflow.handlerContact, { certificateSerial: 'ABCDEF' }));
    await expect(ask({ requestId: 't1', actor: NOTIFIER_ACTOR, regions: ['000000'], operations: [] })).resolves.toEqual({ found: false });
    for (const ctx of [
      { requestId: 't2', clientId: randomUUID(), regions: ['000000'], operations: ['admin'] },
      { requestId: 't3', actor: randomUUID(), role: 'admin', regions: ['000000'], operations: ['admin'] },
      { requestId: 't4', actor: NOTIFIER_ACTOR, role: 'admin', regions: ['000000'], operations: [] },
      // The notifier's own actor, but forwarded for a client: refused for the client alone.
      { requestId: 't5', actor: NOTIFIER_ACTOR, clientId: randomUUID(), regions: ['000000'], operations: [] },
    ]) {
      await expect(ask(ctx)).rejects.toMatchObject({ status: 403, code: 'bus_caller_forbidden' });
    }
  });


  it('sends a webhook and an e-mail to the handler of the certificate\'s application (retried when the SMTP server is busy), once per event', async () => {
    const sub = await subscribe('/reminders', guangxi, ['certificate.renewal_due', 'certificate.expired']);
    const cert = await issue('450100');
    const email = `jingban-${randomUUID().slice(0, 8)}@example.cn`;
    // The completed application that issued the certificate (as the workflow-service leaves it).
    const issuing = await completedApplication(cert, { name: '李经办', email });
    // Anyone may file an application about the serial with their own address, and withdraw it:
    // neither an open nor a withdrawn one is the handler of the unit's certificate.
    const attacker = `attacker-${randomUUID().slice(0, 8)}@example.net`;
    const app = await api(p.baseUrl, 'POST', '/api/v1/applications', {
      type: 'report_loss',
      unit: { name: cert.unit.name, address: '南宁市民族大道60号', postalCode: '530000', uscc: cert.unit.uscc, regionCode: '450100', accountNo: cert.unit.accountNo },
      handler: { name: '冒充者', idNumber: makeResidentId('450102'), phone: '13912345678', email: attacker },
      seals: [],
      targetSerial: cert.serial,
      statement: '遗失',
    });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    await withdrawnApplication(cert, attacker);
    // What the cert-service's reminder job writes (its outbox, signed and published by its relay).
    const event: DomainEvent<'certificate.renewal_due', CertificateRenewalDueData> = {
      id: randomUUID(),
      type: 'certificate.renewal_due',
      version: 1,
      occurredAt: new Date().toISOString(),
      aggregateId: cert.serial,
      data: { serial: cert.serial, caId: 'x', profile: 'unit', uscc: cert.unit.uscc, accountNo: cert.unit.accountNo, regionCode: '450100', status: 'active', notAfter: cert.notAfter, windowOpensOn: '2027-11-01' },
    };
    smtpBusy = 1;
    await p.db.query('INSERT INTO cert.outbox (id, subject, type, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5)', [event.id, eventSubject(event.type), event.type, cert.serial, JSON.stringify(event)]);
    const hook = await waitFor(async () => receiver.at('/reminders').find((r) => r.body.id === event.id), 15_000);
    expect(hook.body.data.windowOpensOn).toBe('2027-11-01');
    expect(verifyWebhookSignature(hook.headers['ecert-webhook-signature'] as string, hook.raw, sub.secret).ok).toBe(true);
    const mail = await waitFor(async () => mails.find((m) => m.headers.get('x-ecert-event-id') === event.id), 15_000);
    expect((mail.to as { value: { address: string }[] }).value[0].address).toBe(email);
    expect(mails.some((m) => JSON.stringify(m.to).includes(attacker))).toBe(false);
    expect(mail.from?.value[0].address).toBe('noreply@ecert.example.cn');
    expect(mail.subject).toContain('续期提醒');
    expect(mail.subject).toContain(cert.serial);
    expect(mail.text).toContain('李经办');
    expect(mail.text).toContain('2027-11-01');
    expect(smtpBusy).toBe(0);
    // The row is marked sent just after the SMTP server took the mail.
    const row = await waitFor(async () => (await p.db.query('SELECT status, recipient, application_id, attempts FROM gateway.mail_delivery WHERE event_id = $1', [event.id])).rows.find((r) => r.status === 'sent'));
    expect(row).toEqual({ status: 'sent', recipient: email, application_id: issuing, attempts: 2 });
    // The same event published again (another outbox row, so another Nats-Msg-Id): nothing more is sent.
    await p.db.query('INSERT INTO cert.outbox (id, subject, type, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5)', [randomUUID(), eventSubject(event.type), event.type, cert.serial, JSON.stringify(event)]);
    await notificationsCaughtUp();
    expect(mails.filter((m) => m.headers.get('x-ecert-event-id') === event.id)).toHaveLength(1);
    expect((await p.db.query('SELECT count(*)::int AS n FROM gateway.mail_delivery WHERE event_id = $1', [event.id])).rows[0].n).toBe(1);
    expect((await deliveries(sub.id, guangxi)).filter((d) => d.eventType === 'certificate.renewal_due')).toHaveLength(1);
    expect(receiver.at('/reminders').filter((r) => r.body.id === event.id)).toHaveLength(1);
  });

  it('sends a mail once even when its job runs twice at the same time (a stalled job run again)', async () => {
    const cert = await issue('450100');
    const email = `twice-${randomUUID().slice(0, 8)}@example.cn`;
    await completedApplication(cert, { name: '王经办', email });
    const mailId = randomUUID();
    const eventId = randomUUID();
    await p.db.query(`INSERT INTO gateway.mail_delivery (id, event_id, event_type, certificate_serial, data) VALUES ($1, $2, 'certificate.expired', $3, $4)`, [
      mailId,
      eventId,
      cert.serial,
      JSON.stringify({ serial: cert.serial, caId: 'x', profile: 'unit', uscc: cert.unit.uscc, accountNo: cert.unit.accountNo, regionCode: '450100', status: 'expired', notAfter: cert.notAfter }),
    ]);
    const notifier = p.gateway!.get(MailNotifier) as unknown as { process(job: unknown): Promise<void> };
    const job = { data: { mailId }, attemptsMade: 0, opts: { attempts: 6 } };
    await Promise.all([notifier.process(job), notifier.process(job)]);
    await waitFor(async () => (await p.db.query('SELECT status FROM gateway.mail_delivery WHERE id = $1', [mailId])).rows[0].status === 'sent');
    // The SMTP server has had time for a second one: the row is sent, and one mail arrived.
    await notifier.process(job);
    expect(mails.filter((m) => m.headers.get('x-ecert-event-id') === eventId)).toHaveLength(1);
    expect((await p.db.query('SELECT attempts FROM gateway.mail_delivery WHERE id = $1', [mailId])).rows[0].attempts).toBe(1);
  });

  it('records an expiry of a certificate no application knows as without contact, and still sends its webhook', async () => {
    const sub = await subscribe('/reminders-2', guangxi, ['certificate.expired']);
    const cert = await issue('450100');
    const id = randomUUID();
    const event = { id, type: 'certificate.expired', version: 1, occurredAt: new Date().toISOString(), aggregateId: cert.serial, data: { serial: cert.serial, caId: 'x', profile: 'unit', uscc: cert.unit.uscc, accountNo: cert.unit.accountNo, regionCode: '450100', status: 'expired', notAfter: cert.notAfter } };
    await p.db.query('INSERT INTO cert.outbox (id, subject, type, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5)', [id, eventSubject(event.type), event.type, cert.serial, JSON.stringify(event)]);
    await waitFor(async () => receiver.at('/reminders-2').find((r) => r.body.id === id), 15_000);
    await waitFor(async () => (await p.db.query('SELECT status FROM gateway.mail_delivery WHERE event_id = $1', [id])).rows[0]?.status === 'no_contact', 15_000);
    expect(mails.find((m) => m.headers.get('x-ecert-event-id') === id)).toBeUndefined();
    expect((await deliveries(sub.id, guangxi)).map((d) => d.status)).toEqual(['succeeded']);
  });
});
