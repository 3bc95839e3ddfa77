import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Queue } from 'bullmq';
import { bullPrefix, QueueNames } from '@ecert/contracts';
import { randomUUID } from 'node:crypto';
import { freePort, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslAsync, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api } from '../support/http';
import { samplePdf, upload } from '../support/materials';
import { OperationsQueues } from '../../apps/gateway/src/operations/operations-queues.service';
import { scanJpeg } from '../../apps/seal-service/src/images/test-images.spec-helper';

/**
 * The operators' view (issue 12 §5) through the gateway: Bull Board behind the staff login, the
 * platform's /metrics on its own port, and the overview of what is late, failed and due.
 */
let p: TestPlatform;
let metricsUrl: string;
const dir = new TempDir();
type Headers = Record<string, string>;
const none: Headers = { 'x-api-key': '' };

beforeAll(async () => {
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  // No caches here: these tests compare counts before and after a change (the caches have their own tests).
  p = await startTestPlatform({ env: { METRICS_PORT: String(metricsPort), METRICS_CACHE_MS: '0', OPERATIONS_OVERVIEW_CACHE_MS: '0' } });
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

function signChallenge(keyPath: string, challenge: string): string {
  const data = dir.file(`challenge-${Math.random()}.bin`, Buffer.from(challenge, 'base64'));
  const sig = dir.file(`challenge-${Math.random()}.sig`);
  opensslResult(['dgst', '-sha256', '-sign', keyPath, '-out', sig, data]);
  return readFileSync(sig).toString('base64');
}

const staffCache = new Map<string, { token: string; staffId: string }>();
/** A staff member of a role and region, logged in with a personal certificate (the real handshake). */
async function staff(role: string, regionCode: string): Promise<{ token: string; staffId: string }> {
  const key = `${role}@${regionCode}`;
  if (staffCache.has(key)) return staffCache.get(key)!;
  const k = opensslCsr(dir, 'p256');
  const region = regionCode === '000000' ? '450100' : regionCode;
  const cert = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr: k.csr, unit: { name: '人社局', uscc: makeUscc(region), regionCode: region, accountNo: 'STAFF' }, person: { name: role, idNumber: makeResidentId() } });
  expect(cert.status, JSON.stringify(cert.body)).toBe(201);
  const s = await api(p.baseUrl, 'POST', '/api/v1/staff', { name: role, role, regionCode, certificateSerials: [cert.body.serial] });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
  const login = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.body.certificatePem, signature: signChallenge(k.keyPath, ch.body.challenge) }, none);
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const v = { token: login.body.token as string, staffId: s.body.id as string };
  staffCache.set(key, v);
  return v;
}
const bearer = async (role: string, region = '000000'): Promise<Headers> => ({ authorization: `Bearer ${(await staff(role, region)).token}`, 'x-api-key': '' });

async function board(path: string, headers: Headers, method = 'GET', body?: unknown) {
  const res = await fetch(`${p.baseUrl}/admin/queues${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, text, json: () => JSON.parse(text) };
}

const sagasQueue = () => new Queue(QueueNames.sagas, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });

async function sagaJob(jobId: string) {
  const queue = sagasQueue();
  try {
    const job = await queue.getJob(jobId);
    return job && { state: await job.getState(), finishedOn: job.finishedOn ?? 0, failedReason: job.failedReason, data: job.data };
  } finally {
    await queue.close();
  }
}

/**
 * A real saga that cannot succeed, as its failed job (id = application id): a report of loss
 * freezes the certificate, staff revoke it meanwhile, the report is rejected — and lifting the
 * freeze it made is refused (409), so the application needs attention.
 */
async function failedSagaJob(): Promise<string> {
  const unit = { name: '南宁市某挂失测试有限公司', uscc: makeUscc('450102'), regionCode: '450102', accountNo: `LOSS${Math.floor(Math.random() * 1e8)}` };
  const cert = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit });
  expect(cert.status, JSON.stringify(cert.body)).toBe(201);
  const system = { 'x-api-key': (await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'HRSS system', department: '社保经办', operations: ['applications:submit', 'applications:read'], regionCodes: ['450102'] })).body.apiKey };
  const created = await api(
    p.baseUrl,
    'POST',
    '/api/v1/applications',
    {
      type: 'report_loss',
      unit: { ...unit, address: '南宁市民族大道60号', postalCode: '530000' },
      handler: { name: '李经办', idNumber: makeResidentId('450102'), phone: '13912345678', email: 'jingban@example.cn' },
      seals: [],
      targetSerial: cert.body.serial,
      statement: '经办人外出时遗失UKey',
    },
    system,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id;
  for (const kind of created.body.checklist.missing as string[]) {
    const r = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=${kind}`, samplePdf(kind), 'application/pdf', system);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  const submitted = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.body.serial}/revoke`, { reason: 'keyCompromise' })).status).toBe(200);
  const rejected = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/decisions`, { decision: 'reject', reason: '经核实非本单位经办人申报' }, await bearer('county_acceptor', '450102'));
  expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
  await expect.poll(async () => (await sagaJob(id))?.state, { timeout: 20_000, interval: 100 }).toBe('failed');
  expect((await sagaJob(id))!.failedReason).toMatch(/^unfreeze_certificate: 409 /);
  const [app] = (await p.db.query(`SELECT status, attention FROM workflow.application WHERE id = $1`, [id])).rows;
  expect(app).toMatchObject({ status: 'rejected', attention: { step: 'unfreeze_certificate' } });
  return id;
}

/**
 * A board retry only has the worker look again: PostgreSQL still says the step cannot succeed,
 * so the job fails again with the same reason and the application is untouched.
 */
async function failedAgain(jobId: string, finishedBefore: number): Promise<void> {
  await expect.poll(async () => { const j = await sagaJob(jobId); return j && j.finishedOn > finishedBefore && j.state; }, { timeout: 20_000, interval: 100 }).toBe('failed');
  expect((await sagaJob(jobId))!.failedReason).toMatch(/^unfreeze_certificate: 409 /);
  const steps = (await p.db.query(`SELECT name, status FROM workflow.application_step WHERE application_id = $1 ORDER BY seq`, [jobId])).rows;
  expect(steps).toContainEqual({ name: 'unfreeze_certificate', status: 'failed' });
  expect((await p.db.query(`SELECT status FROM workflow.application WHERE id = $1`, [jobId])).rows[0].status).toBe('rejected');
}

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one series, by its exact label set as prom-client writes it (labels in its order). */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

async function issueUnit(regionCode: string) {
  const k = opensslCsr(dir, 'p256');
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: k.csr, unit: { name: '南宁市某运维测试有限公司', uscc: makeUscc(regionCode), regionCode, accountNo: `OPS${Math.floor(Math.random() * 1e6)}` } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** A real application, submitted into county review (region 450102), made late by moving its due dates into the past. */
async function lateApplication(): Promise<string> {
  const system = { 'x-api-key': (await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'HRSS system', department: '社保经办', operations: ['applications:submit', 'applications:read'], regionCodes: ['450102'] })).body.apiKey };
  const created = await api(
    p.baseUrl,
    'POST',
    '/api/v1/applications',
    {
      type: 'apply',
      unit: { name: '南宁市某科技有限公司', address: '南宁市民族大道60号', postalCode: '530000', uscc: makeUscc('450102'), regionCode: '450102', accountNo: `SI${Math.floor(Math.random() * 1e8)}` },
      handler: { name: '李经办', idNumber: makeResidentId('450102'), phone: '13912345678', email: 'jingban@example.cn' },
      seals: [{ kind: 'official', name: '南宁市某科技有限公司' }],
    },
    system,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id;
  for (const kind of created.body.checklist.missing as string[]) {
    const r = kind === 'seal_impression_form' ? await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=${kind}`, scanJpeg().jpeg, 'image/jpeg', system) : await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=${kind}`, samplePdf(kind), 'application/pdf', system);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  const submitted = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  expect(submitted.body.tier).toBe('county');
  // Time passing: the county's limit and the overall one both lie behind us now.
  await p.db.query(`UPDATE workflow.application SET due_at = now() - interval '2 days', step_due_at = now() - interval '1 day' WHERE id = $1`, [id]);
  return id;
}

describe('Bull Board at /admin/queues', () => {
  it('refuses anonymous callers, client systems and staff without operations:read', async () => {
    const anonymous = await board('', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toContain('application/problem+json');
    expect(JSON.parse(anonymous.text).code).toBe('unauthorized');
    expect((await board('/api/queues', {})).status).toBe(401);
    expect((await board('/api/queues', { authorization: 'Bearer not.valid' })).status).toBe(401);
    expect((await board('/api/queues', { cookie: 'ecert_board_token=forged.token' })).status).toBe(401);

    // The harness client holds every operation, admin included: still no board for a system.
    const client = await board('/api/queues', { 'x-api-key': p.apiKey! });
    expect(client.status).toBe(403);
    expect(JSON.parse(client.text).code).toBe('forbidden');

    const acceptor = await board('/api/queues', await bearer('county_acceptor', '450102'));
    expect(acceptor.status).toBe(403);
    const refused = await p.db.query(`SELECT count(*)::int AS n FROM gateway.audit_log WHERE action = 'access.refused' AND target LIKE 'GET /admin/queues%'`);
    expect(refused.rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('shows an operator every queue of the platform, read-only', async () => {
    const operator = await bearer('operator');
    const page = await board('', operator);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const listed = await board('/api/queues', operator);
    expect(listed.status, listed.text).toBe(200);
    const names = (listed.json().queues as { name: string; readOnlyMode: boolean }[]).map((q) => q.name).sort();
    expect(names).toEqual(Object.values(QueueNames).sort());
    expect((listed.json().queues as { readOnlyMode: boolean }[]).every((q) => q.readOnlyMode)).toBe(true);

    const jobId = await failedSagaJob();
    const failed = await board(`/api/queues?activeQueue=${QueueNames.sagas}&status=failed&page=1&jobsPerPage=50`, operator);
    expect(failed.status, failed.text).toBe(200);
    const sagas = (failed.json().queues as { name: string; jobs: { id: string; name: string; failedReason: string; data: unknown }[] }[]).find((q) => q.name === QueueNames.sagas)!;
    expect(sagas.jobs.find((j) => j.id === jobId)).toMatchObject({ name: 'carry-out', data: { applicationId: jobId }, failedReason: expect.stringMatching(/^unfreeze_certificate: 409 /) });
    const retry = await board(`/api/queues/${QueueNames.sagas}/${jobId}/retry`, operator, 'PUT');
    expect(retry.status).toBe(403);
    expect(JSON.parse(retry.text).detail).toContain('admin');
    expect((await sagaJob(jobId))!.state).toBe('failed');
  });

  it('lets a browser present the staff token as the board\'s session cookie', async () => {
    const operator = await bearer('operator');
    const session = await board('/session', operator, 'POST');
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ecert_board_token=[^;]+; Path=\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    const viaCookie = await board('/api/queues', { cookie: cookie.split(';')[0] });
    expect(viaCookie.status).toBe(200);
    // Only the board takes it: the API does not.
    expect((await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, { ...none, cookie: cookie.split(';')[0] })).status).toBe(401);
  });

  it('lets an admin act on jobs, and audits it before and after', async () => {
    const admin = await bearer('admin');
    const listed = await board('/api/queues', admin);
    expect((listed.json().queues as { readOnlyMode: boolean }[]).some((q) => q.readOnlyMode)).toBe(false);
    const jobId = await failedSagaJob();
    const { finishedOn } = (await sagaJob(jobId))!;
    const retry = await board(`/api/queues/${QueueNames.sagas}/${jobId}/retry`, admin, 'PUT');
    expect(retry.status, retry.text).toBe(204);
    await failedAgain(jobId, finishedOn);
    const queue = sagasQueue();
    try {
      await queue.remove(jobId);
    } finally {
      await queue.close();
    }
    const audit = await p.db.query(`SELECT outcome, target FROM gateway.audit_log WHERE action LIKE 'PUT /admin/queues/api/queues/%/retry' AND staff_id = $1 ORDER BY seq`, [(await staff('admin', '000000')).staffId]);
    await expect.poll(async () => (await p.db.query(`SELECT count(*)::int AS n FROM gateway.audit_log WHERE action LIKE 'PUT /admin/queues/%' AND outcome = 'success'`)).rows[0].n).toBeGreaterThanOrEqual(1);
    expect(audit.rows[0]).toMatchObject({ outcome: 'attempted', target: QueueNames.sagas });
  });
});

describe('Bull Board: the outcome of an admin\'s action', () => {
  const route = (queue: string, status: string) => `PUT /admin/queues/api/queues/${queue}/clean/${status}`;
  /** The audit records of board actions on this route after `afterSeq`, oldest first. */
  const records = async (action: string, afterSeq: number) =>
    (await p.db.query(`SELECT seq::int AS seq, outcome, target, staff_id, details FROM gateway.audit_log WHERE action = $1 AND seq > $2 ORDER BY seq`, [action, afterSeq])).rows as {
      seq: number;
      outcome: string;
      target: string;
      staff_id: string | null;
      details: Record<string, unknown>;
    }[];
  const lastSeq = async () => Number((await p.db.query('SELECT coalesce(max(seq), 0) AS n FROM gateway.audit_log')).rows[0].n);
  /** The attempt and its outcome, once both are written — and no further record comes after a while. */
  const attemptAndOutcome = async (action: string, afterSeq: number) => {
    await expect.poll(async () => (await records(action, afterSeq)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 500));
    const rows = await records(action, afterSeq);
    expect(rows.map((r) => r.outcome)).toHaveLength(2);
    return rows;
  };

  it('records the answer once it is written: success with its status, or failure with it', async () => {
    const admin = await bearer('admin');
    const { staffId } = await staff('admin', '000000');
    const from = await lastSeq();
    const done = await board(`/api/queues/${QueueNames.webhooks}/clean/completed`, admin, 'PUT');
    expect(done.status, done.text).toBe(200);
    const [attempt, outcome] = await attemptAndOutcome(route(QueueNames.webhooks, 'completed'), from);
    expect(attempt).toMatchObject({ outcome: 'attempted', target: QueueNames.webhooks, details: { queue: QueueNames.webhooks, action: 'clean', status: 'completed' } });
    expect(outcome).toMatchObject({ outcome: 'success', target: QueueNames.webhooks, staff_id: staffId, details: { attempt: attempt!.seq, status: 200 } });
    expect(outcome!.details).not.toHaveProperty('aborted');

    // A job that is not there: Bull Board answers 404, the outcome says failure with that status.
    const missing = `PUT /admin/queues/api/queues/${QueueNames.sagas}/no-such-job/retry`;
    const notFound = await board(`/api/queues/${QueueNames.sagas}/no-such-job/retry`, admin, 'PUT');
    expect(notFound.status, notFound.text).toBe(404);
    const [tried, failed] = await attemptAndOutcome(missing, from);
    expect(failed).toMatchObject({ outcome: 'failure', staff_id: staffId, details: { attempt: tried!.seq, status: 404 } });
    expect(failed!.details).not.toHaveProperty('aborted');
  });

  it('records an action whose client went away before the answer as aborted, once, whether or not it then went through', async () => {
    const admin = await bearer('admin');
    const { staffId } = await staff('admin', '000000');
    const from = await lastSeq();
    // The clean waits at the queue until the test lets it go, so the client leaves while it is under way.
    const queue = p.gateway!.get(OperationsQueues).all().get(QueueNames.webhooks)!;
    const clean = queue.clean.bind(queue);
    let entered!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    let cleaned = false;
    queue.clean = (async (...args: Parameters<typeof queue.clean>) => {
      entered();
      await gate;
      const ids = await clean(...args);
      cleaned = true;
      return ids;
    }) as typeof queue.clean;
    try {
      const url = new URL(`/admin/queues/api/queues/${QueueNames.webhooks}/clean/failed`, p.baseUrl);
      const req = request(url, { method: 'PUT', headers: admin, agent: false });
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', () => undefined);
      req.end();
      await reached;
      const action = route(QueueNames.webhooks, 'failed');
      expect((await records(action, from)).map((r) => r.outcome)).toEqual(['attempted']);
      req.destroy();
      // The outcome is recorded when the connection closes, not when the action ends (it has not yet).
      const [attempt, outcome] = await attemptAndOutcome(action, from);
      expect(cleaned).toBe(false);
      expect(outcome).toMatchObject({ outcome: 'failure', target: QueueNames.webhooks, staff_id: staffId, details: { attempt: attempt!.seq, status: null, aborted: true } });
      // The action then goes through; its answer has nobody to go to, and no second outcome is recorded.
      release();
      await expect.poll(() => cleaned, { timeout: 10_000 }).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      expect((await records(action, from)).map((r) => r.outcome)).toEqual(['attempted', 'failure']);
      expect(answered).toBe(false);
    } finally {
      release();
      queue.clean = clean;
    }
  });
});

describe('Bull Board: national scope, allowlisted actions, CSRF, bounds', () => {
  const jobState = async (jobId: string) => {
    const queue = new Queue(QueueNames.sagas, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
    try {
      return await queue.getJobState(jobId);
    } finally {
      await queue.close();
    }
  };

  it('refuses regional operators and admins: queues hold every region\'s jobs', async () => {
    for (const role of ['operator', 'admin']) {
      const regional = await staff(role, '450100');
      const r = await board('/api/queues', { authorization: `Bearer ${regional.token}` });
      expect(r.status, r.text).toBe(403);
      expect(JSON.parse(r.text)).toMatchObject({ code: 'forbidden' });
      expect(JSON.parse(r.text).detail).toContain('national');
      expect((await board('/session', { authorization: `Bearer ${regional.token}` }, 'POST')).status).toBe(403);
      const audited = await p.db.query(`SELECT count(*)::int AS n FROM gateway.audit_log WHERE action = 'access.refused' AND staff_id = $1 AND target = 'GET /admin/queues/api/queues'`, [regional.staffId]);
      expect(audited.rows[0].n).toBe(1);
    }
    const jobId = await failedSagaJob();
    const regionalAdmin = await staff('admin', '450100');
    expect((await board(`/api/queues/${QueueNames.sagas}/${jobId}/retry`, { authorization: `Bearer ${regionalAdmin.token}` }, 'PUT')).status).toBe(403);
    expect(await jobState(jobId)).toBe('failed');
  });

  it('refuses every Bull Board route beyond retry, promote, remove and clean, and changes nothing', async () => {
    const admin = await bearer('admin');
    const jobId = await failedSagaJob();
    for (const [method, path, body] of [
      ['POST', `/api/queues/${QueueNames.sagas}/add`, { name: 'x', data: {} }],
      ['PATCH', `/api/queues/${QueueNames.sagas}/${jobId}/update-data`, { jobData: { applicationId: 'other' } }],
      ['PATCH', `/api/queues/${QueueNames.sagas}/${jobId}/priority`, { priority: 1 }],
      ['PUT', `/api/queues/${QueueNames.sagas}/obliterate`, undefined],
      ['PUT', `/api/queues/${QueueNames.sagas}/empty`, undefined],
      ['PUT', '/api/queues/pause', undefined],
      ['PUT', `/api/queues/${QueueNames.sagas}/concurrency`, { concurrency: 1 }],
      ['PUT', `/api/queues/${QueueNames.sagas}/job-schedulers/x/run`, undefined],
    ] as const) {
      const r = await board(path, admin, method, body);
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(403);
      expect(r.type).toContain('application/problem+json');
    }
    expect(await jobState(jobId)).toBe('failed');
    const queue = new Queue(QueueNames.sagas, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
    try {
      expect(await queue.isPaused()).toBe(false);
      expect((await queue.getJob(jobId))?.data).toEqual({ applicationId: jobId });
    } finally {
      await queue.close();
    }
    // What an admin needs still works: retrying the failed job, then removing it.
    const { finishedOn } = (await sagaJob(jobId))!;
    const retried = await board(`/api/queues/${QueueNames.sagas}/${jobId}/retry`, admin, 'PUT', { note: '身份证 450102199001011234' });
    expect(retried.status, retried.text).toBe(204);
    await failedAgain(jobId, finishedOn);
    expect((await board(`/api/queues/${QueueNames.sagas}/${jobId}/clean`, admin, 'PUT')).status).toBe(204);
    expect(await jobState(jobId)).toBe('unknown');
    // The audit keeps what was asked and a digest of the body, not the body.
    const attempted = await p.db.query(`SELECT details FROM gateway.audit_log WHERE action = $1 AND outcome = 'attempted' ORDER BY seq DESC LIMIT 1`, [`PUT /admin/queues/api/queues/${QueueNames.sagas}/${jobId}/retry`]);
    expect(attempted.rows[0].details).toMatchObject({ queue: QueueNames.sagas, jobId, action: 'retry', body: { keys: ['note'] } });
    expect(JSON.stringify(attempted.rows[0].details)).not.toContain('450102199001011234');
    await expect
      .poll(async () => (await p.db.query(`SELECT count(*)::int AS n FROM gateway.audit_log WHERE action = $1 AND outcome = 'success'`, [`PUT /admin/queues/api/queues/${QueueNames.sagas}/${jobId}/clean`])).rows[0].n)
      .toBe(1);
  });

  it('refuses a board write another site made the browser send', async () => {
    const admin = await bearer('admin');
    const jobId = await failedSagaJob();
    const path = `/api/queues/${QueueNames.sagas}/${jobId}/retry`;
    expect((await board(path, { ...admin, origin: 'https://evil.example' }, 'PUT')).status).toBe(403);
    expect((await board(path, { ...admin, 'sec-fetch-site': 'cross-site' }, 'PUT')).status).toBe(403);
    const session = await board('/session', admin, 'POST');
    const cookie = { cookie: session.headers.get('set-cookie')!.split(';')[0] };
    // The cookie alone, with no sign of where the request comes from: refused.
    expect((await board(path, cookie, 'PUT')).status).toBe(403);
    expect(await jobState(jobId)).toBe('failed');
    const { finishedOn } = (await sagaJob(jobId))!;
    const same = await board(path, { ...cookie, origin: p.baseUrl, 'sec-fetch-site': 'same-origin' }, 'PUT');
    expect(same.status, same.text).toBe(204);
    await failedAgain(jobId, finishedOn);
  });

  it('answers a bad percent escape with a 400 problem, and bounds the page size', async () => {
    const admin = await bearer('admin');
    const bad = await board('/api/queues/%E0%A4%A/1/retry', admin, 'PUT');
    expect(bad.status, bad.text).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((await board('/api/queues/%', admin)).status).toBe(400);

    const queue = new Queue(QueueNames.sagas, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
    try {
      await queue.addBulk(Array.from({ length: 130 }, (_, i) => ({ name: 'page-size-test', data: { i }, opts: { delay: 3_600_000 } })));
      const page = await board(`/api/queues?activeQueue=${QueueNames.sagas}&status=delayed&jobsPerPage=100000`, admin);
      expect(page.status, page.text).toBe(200);
      const sagas = (page.json().queues as { name: string; jobs: unknown[] }[]).find((q) => q.name === QueueNames.sagas)!;
      expect(sagas.jobs.length).toBe(100);
    } finally {
      for (const j of await queue.getJobs(['delayed'])) if (j.name === 'page-size-test') await j.remove();
      await queue.close();
    }
  });

  it('audits refusals only within the caller\'s rate limit', async () => {
    const created = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'board prober', department: 'x', operations: ['certificates:read'], rateLimitPerSecond: 1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await board('/api/queues', { 'x-api-key': created.body.apiKey })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const audited = await p.db.query(`SELECT count(*)::int AS n FROM gateway.audit_log WHERE action = 'access.refused' AND client_id = $1`, [created.body.client.id]);
    expect(audited.rows[0].n).toBe(statuses.filter((s) => s === 403).length);
  });
});

describe('crl-refresh', () => {
  it('keeps a bounded history: the scheduler\'s jobs are removed after the last 100 runs (1000 failures)', async () => {
    const queue = new Queue(QueueNames.crlRefresh, { connection: { url: p.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(p.config.ECERT_REDIS_PREFIX) });
    try {
      const scheduler = await queue.getJobScheduler('crl-refresh-all');
      expect(scheduler?.template?.opts).toMatchObject({ removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } });
      // The job waiting for its turn carries them too.
      const [next] = await queue.getJobs(['delayed', 'waiting', 'active', 'completed'], 0, 0);
      expect(next?.opts).toMatchObject({ removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } });
    } finally {
      await queue.close();
    }
  });
});

describe('/metrics', () => {
  it('is not served where the API is', async () => {
    expect((await fetch(`${p.baseUrl}/metrics`, { headers: none })).status).toBe(404);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('has issuance counts and latency, OCSP answers and cache, CRL age, outbox lag, queues, SLA breaches and the invalid list', async () => {
    const cert = await issueUnit('450100');
    const leaf = dir.file('m-leaf.pem', cert.certificatePem);
    const issuing = dir.file('m-issuing.pem', cert.chainPem[0]);
    const bundle = dir.file('m-bundle.pem', cert.chainPem[1] + cert.chainPem[0]);
    await lateApplication();
    await failedSagaJob();
    // The same nonce-less request again until the gateway's cache answers it: the first answer is
    // not cached when an invalidation (the issuance's own event) arrives while it is being built.
    const ocsp = async () => {
      const o = await opensslAsync(['ocsp', '-issuer', issuing, '-cert', leaf, '-no_nonce', '-url', `${p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-resp_text']);
      expect(o.out).toMatch(/: good/);
      return series(await scrape(), 'ecert_ocsp_cache_lookups_total', { service: 'gateway', result: 'hit' });
    };
    await expect.poll(ocsp, { timeout: 15_000, interval: 200 }).toBeGreaterThanOrEqual(1);

    const text = await scrape();
    for (const family of ['ecert_rpc_requests_total', 'ecert_rpc_duration_seconds', 'ecert_ocsp_responses_total', 'ecert_ocsp_cache_lookups_total', 'ecert_crl_age_seconds', 'ecert_outbox_lag_seconds', 'ecert_queue_jobs', 'ecert_sla_breaches', 'ecert_invalid_list_size', 'ecert_scrape_service_up']) {
      expect(text.match(new RegExp(`^# TYPE ${family} `, 'gm')), family).toHaveLength(1);
    }
    expect(series(text, 'ecert_rpc_requests_total', { service: 'cert-service', subject: 'cert.certificates.issue', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(series(text, 'ecert_rpc_duration_seconds_count', { service: 'cert-service', subject: 'cert.certificates.issue', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    const slowest = series(text, 'ecert_rpc_duration_seconds_bucket', { service: 'cert-service', subject: 'cert.certificates.issue', outcome: 'ok', le: '+Inf' });
    expect(slowest).toBe(series(text, 'ecert_rpc_duration_seconds_count', { service: 'cert-service', subject: 'cert.certificates.issue', outcome: 'ok' }));
    expect(series(text, 'ecert_rpc_requests_total', { service: 'workflow-service', subject: 'workflow.applications.submit', outcome: 'ok' })).toBeGreaterThanOrEqual(1);

    // Requests the gateway's cache could not answer went to the responder (good).
    expect(series(text, 'ecert_ocsp_responses_total', { service: 'cert-service', status: 'good' })).toBeGreaterThanOrEqual(1);
    expect(series(text, 'ecert_ocsp_cache_lookups_total', { service: 'gateway', result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(series(text, 'ecert_ocsp_cache_lookups_total', { service: 'gateway', result: 'miss' })).toBeGreaterThanOrEqual(1);

    const cas = await p.db.query(`SELECT DISTINCT ca_id FROM cert.crl`);
    expect(cas.rows.length).toBeGreaterThan(0);
    for (const { ca_id } of cas.rows) {
      const age = series(text, 'ecert_crl_age_seconds', { service: 'cert-service', ca: ca_id, kind: 'full' });
      expect(age, ca_id).toBeGreaterThanOrEqual(0);
      expect(age!).toBeLessThan(86_400);
    }
    for (const service of ['cert-service', 'seal-service', 'workflow-service']) {
      const lag = series(text, 'ecert_outbox_lag_seconds', { service });
      expect(lag, service).toBeGreaterThanOrEqual(0);
      expect(lag!).toBeLessThan(3600);
      expect(series(text, 'ecert_scrape_service_up', { service: 'gateway', target: service })).toBe(1);
    }
    for (const queue of Object.values(QueueNames)) expect(series(text, 'ecert_queue_jobs', { service: 'gateway', queue, state: 'waiting' }), queue).toBeGreaterThanOrEqual(0);
    expect(series(text, 'ecert_queue_jobs', { service: 'gateway', queue: QueueNames.sagas, state: 'failed' })).toBeGreaterThanOrEqual(1);
    // 450102 is counted under its city, 450100.
    expect(series(text, 'ecert_sla_breaches', { service: 'workflow-service', region: '450100', tier: 'county' })).toBeGreaterThanOrEqual(1);
    expect(series(text, 'ecert_invalid_list_size', { service: 'cert-service' })).toBe(0);
  });
});

describe('GET /api/v1/operations/overview', () => {
  it('needs operations:read, and says which bound is wrong', async () => {
    const reader = (await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'reader', department: 'x', operations: ['certificates:read'] })).body.apiKey;
    expect((await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, { 'x-api-key': reader })).status).toBe(403);
    expect((await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, await bearer('county_acceptor', '450102'))).status).toBe(403);
    expect((await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, none)).status).toBe(401);
    const bad = await api(p.baseUrl, 'GET', '/api/v1/operations/overview?top=0', undefined, await bearer('operator'));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(bad.body)).toContain('top');
  });

  it('shows dead-lettered webhook deliveries and e-mails from the gateway\'s delivery tables, within the caller\'s regions', async () => {
    const operator = await bearer('operator');
    const before = (await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, operator)).body;
    // What the dispatcher and the mail notifier leave after their last attempt (their BullMQ jobs are removed).
    const client = (await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'webhook receiver', department: 'x', operations: ['certificates:read'] })).body.client.id;
    const subscription = randomUUID();
    await p.db.query(`INSERT INTO gateway.webhook_subscription (id, client_id, url, event_types, region_codes, secret_sealed) VALUES ($1, $2, 'https://hr.example.cn/hook', '{certificate.*}', '{450000}', 'x')`, [subscription, client]);
    const delivery = randomUUID();
    const body = JSON.stringify({ id: randomUUID(), type: 'certificate.revoked', data: { serial: '0a', regionCode: '450102' } });
    await p.db.query(
      `INSERT INTO gateway.webhook_delivery (id, subscription_id, event_id, event_type, order_key, body, status, attempts, last_status_code, last_error, dead_at) VALUES ($1, $2, gen_random_uuid(), 'certificate.revoked', 'certificate:0a', $3, 'dead', 8, 503, 'HTTP 503', '2000-01-01')`,
      [delivery, subscription, body],
    );
    const mail = randomUUID();
    await p.db.query(
      `INSERT INTO gateway.mail_delivery (id, event_id, event_type, certificate_serial, data, status, attempts, last_error, created_at) VALUES ($1, gen_random_uuid(), 'certificate.renewal_due', '0b', $2, 'dead', 5, '421 busy', '2000-01-01')`,
      [mail, { serial: '0b', regionCode: '450103' }],
    );

    const o = (await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, operator)).body;
    expect(o.unavailable).toEqual([]);
    expect(o.failed.deadLetters.webhooks.total).toBe(before.failed.deadLetters.webhooks.total + 1);
    expect(o.failed.deadLetters.webhooks.oldest[0]).toEqual({ deliveryId: delivery, subscriptionId: subscription, clientId: client, eventType: 'certificate.revoked', attempts: 8, lastStatusCode: 503, lastError: 'HTTP 503', deadAt: '2000-01-01T00:00:00.000Z' });
    expect(o.failed.deadLetters.mails.total).toBe(before.failed.deadLetters.mails.total + 1);
    expect(o.failed.deadLetters.mails.oldest[0]).toEqual({ mailId: mail, eventType: 'certificate.renewal_due', certificateSerial: '0b', attempts: 5, lastError: '421 busy', createdAt: '2000-01-01T00:00:00.000Z' });
    // A city's operator sees its city's; another province's sees neither.
    const city = (await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, await bearer('operator', '450100'))).body;
    expect(city.failed.deadLetters.webhooks.oldest.map((d: { deliveryId: string }) => d.deliveryId)).toContain(delivery);
    expect(city.failed.deadLetters.mails.oldest.map((m: { mailId: string }) => m.mailId)).toContain(mail);
    const elsewhere = (await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, await bearer('operator', '370000'))).body;
    expect(elsewhere.failed.deadLetters).toEqual({ webhooks: { total: 0, oldest: [] }, mails: { total: 0, oldest: [] } });

    const text = await scrape();
    expect(series(text, 'ecert_dead_letters', { service: 'gateway', kind: 'webhook' })).toBeGreaterThanOrEqual(1);
    expect(series(text, 'ecert_dead_letters', { service: 'gateway', kind: 'mail' })).toBeGreaterThanOrEqual(1);
  });

  it('counts what is late, failed and due, within the caller\'s regions', async () => {
    const operator = await bearer('operator');
    const before = (await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, operator)).body;
    const late = await lateApplication();
    const stuck = await lateApplication();
    await p.db.query(`UPDATE workflow.application SET status = 'needs_attention', attention = $2 WHERE id = $1`, [stuck, { reason: '409 simulated', step: 'issue_certificate', at: new Date(0).toISOString() }]);
    await failedSagaJob();
    const renewing = await issueUnit('450103');
    await p.db.query(`UPDATE cert.certificate SET not_after = now() + interval '10 days' WHERE serial = $1`, [renewing.serial]);
    const idle = await issueUnit('450103');
    // Issued and last used 3 years ago (an activity before issuance would not count: the rule reads GREATEST(activity, issuance)).
    await p.db.query(`UPDATE cert.certificate SET not_before = now() - interval '4 years', last_activity_at = now() - interval '3 years' WHERE serial = $1`, [idle.serial]);
    // 第二十条's other cases, two years on: reported lost (frozen), its UKey reported damaged, expired and not renewed —
    // counted by the batch run's own rule (the overview is its dry run).
    const lost = await issueUnit('450103');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${lost.serial}/freeze`, {})).status).toBe(200);
    await p.db.query(`UPDATE cert.certificate SET frozen_at = now() - interval '3 years' WHERE serial = $1`, [lost.serial]);
    const damaged = await issueUnit('450103');
    const ukey = `OPS-${Date.now().toString(36)}`;
    await p.db.query(`INSERT INTO cert.ukey (serial, vendor, model, batch, delivered_on, state, application_id) VALUES ($1, 'v', 'm', 'b', '2024-01-01', 'damaged', gen_random_uuid())`, [ukey]);
    await p.db.query(`INSERT INTO cert.ukey_history (serial, action, from_state, to_state, at) VALUES ($1, 'report_damaged', 'in_use', 'damaged', now() - interval '3 years')`, [ukey]);
    await p.db.query(`UPDATE cert.certificate SET ukey_serial = $2 WHERE serial = $1`, [damaged.serial, ukey]);
    const expired = await issueUnit('450103');
    await p.db.query(`UPDATE cert.certificate SET not_before = now() - interval '5 years', not_after = now() - interval '3 years' WHERE serial = $1`, [expired.serial]);

    const r = await api(p.baseUrl, 'GET', '/api/v1/operations/overview?top=5', undefined, operator);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const o = r.body;
    expect(o.unavailable).toEqual([]);
    expect(o.regions).toEqual(['000000']);
    expect(o.late.slaBreaches.total).toBe(before.late.slaBreaches.total + 2);
    expect(o.late.slaBreaches.byTier.find((t: { tier: string }) => t.tier === 'county').count).toBeGreaterThanOrEqual(2);
    expect(o.late.slaBreaches.byRegion.find((x: { regionCode: string }) => x.regionCode === '450102').count).toBeGreaterThanOrEqual(2);
    expect(o.failed.sagasNeedingAttention.total).toBe(before.failed.sagasNeedingAttention.total + 1);
    expect(o.failed.sagasNeedingAttention.oldest[0]).toMatchObject({ applicationId: stuck, regionCode: '450102', step: 'issue_certificate', reason: '409 simulated' });
    expect(o.failed.queues.find((q: { queue: string }) => q.queue === QueueNames.sagas).failed).toBe(before.failed.queues.find((q: { queue: string }) => q.queue === QueueNames.sagas).failed + 1);
    expect(o.due.renewals).toMatchObject({ windowDays: 30 });
    expect(o.due.renewals.total).toBe(before.due.renewals.total + 1);
    expect(o.due.renewals.byRegion).toContainEqual({ regionCode: '450103', count: 1 });
    const reasons = (x: typeof o) => Object.fromEntries(x.due.invalidations.byReason.map((r: { reason: string; count: number }) => [r.reason, r.count]));
    const was = reasons(before);
    expect(reasons(o)).toEqual({ idle: was.idle + 1, lost_unresolved: was.lost_unresolved + 1, damaged_unresolved: was.damaged_unresolved + 1, expired_unresolved: was.expired_unresolved + 1 });
    expect(o.due.invalidations.total).toBe(before.due.invalidations.total + 4);
    expect(o.due.invalidListSize).toBe(0);
    expect(late).not.toBe(stuck);

    // An operator of another province sees none of it.
    const elsewhere = (await api(p.baseUrl, 'GET', '/api/v1/operations/overview', undefined, await bearer('operator', '370000'))).body;
    expect(elsewhere.regions).toEqual(['370000']);
    expect(elsewhere.late.slaBreaches.total).toBe(0);
    expect(elsewhere.failed.sagasNeedingAttention.total).toBe(0);
    expect(elsewhere.due.renewals.total).toBe(0);
    expect(elsewhere.due.invalidations.total).toBe(0);
  });
});
