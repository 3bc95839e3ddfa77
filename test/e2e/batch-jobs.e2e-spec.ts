/**
 * Issue 12 through the gateway, on the real services: activity reports (all or nothing, region
 * scoped), the 第二十条 run (dry, then real) that revokes for relying parties (OCSP), suspends the
 * seals, refuses lifecycle steps and lists the certificates (JSON and CSV); the renewal reminder
 * counted on the workflow-service's calendar over the bus. Time: the certificates' own dates are
 * moved back in the database (two years cannot be waited for); the jobs run at the real now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSerialNumber, serialKey } from '@ecert/pki';
import { ACTIVITY_REPORT_MAX_ITEMS, bulkEventSubject, durableConsumers } from '@ecert/contracts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslAsync, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { ReminderJobs } from '../../apps/cert-service/src/batch/reminders/reminder-jobs.service';

let p: TestPlatform;
const dir = new TempDir();
const SEAL_PNG = sealPng(240, 20).toString('base64');

beforeAll(async () => {
  // The schedules stay off: the runs here are started by the test.
  p = await startTestPlatform({ env: { ECERT_INVALIDATION_CRON: 'off', ECERT_REMINDERS_CRON: 'off' } });
});

afterAll(async () => {
  await p?.close();
  dir.remove();
});

interface Cert {
  serial: string;
  certificatePem: string;
  chainPem: string[];
}

async function issue(region = '450100', validityDays?: number): Promise<Cert> {
  const { csr } = opensslCsr(dir, 'p256');
  const unit = { name: '南宁市某某科技有限公司', uscc: makeUscc(region), regionCode: region, accountNo: `${region}0001` };
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit, ...(validityDays ? { validityDays } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const monthsAgo = (m: number) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - m);
  return d;
};

async function poll(id: string) {
  return waitFor(async () => {
    const r = await api(p.baseUrl, 'GET', `/api/v1/invalid-list/runs/${id}`);
    expect(r.status).toBe(200);
    return r.body.status === 'finished' || r.body.status === 'failed' ? r.body : undefined;
  }, 30_000);
}

async function ocspText(cert: Cert): Promise<string> {
  const leaf = dir.file(`${cert.serial}.pem`, cert.certificatePem);
  const issuing = dir.file(`${cert.serial}-i.pem`, cert.chainPem[0]);
  const bundle = dir.file(`${cert.serial}-b.pem`, cert.chainPem[1] + cert.chainPem[0]);
  const r = await opensslAsync(['ocsp', '-issuer', issuing, '-cert', leaf, '-url', `${p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-resp_text']);
  return r.out;
}

describe('activity reports (POST /api/v1/certificates/activity)', () => {
  it('record what business systems saw, idempotently; refuse unknown serials, other regions and oversized reports, recording nothing', async () => {
    const nanning = await issue('450100');
    const guangzhou = await issue('440100');
    const at = new Date(Date.now() - 60_000).toISOString();
    const ok = await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at, kind: 'business_use' }] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ accepted: 1, advanced: 1 });
    expect((await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at, kind: 'business_use' }] })).body).toEqual({ accepted: 1, advanced: 0 });
    const lastActivity = async (serial: string) => (await p.db.query('SELECT last_activity_at FROM cert.certificate WHERE serial = $1', [serial])).rows[0].last_activity_at;
    expect(await lastActivity(nanning.serial)).toEqual(new Date(at));

    // a Guangxi system may report Guangxi's certificates only: the Guangzhou one is "unknown" to it
    const { apiKey: guangxi } = await p.gateway!.get(ClientsService).register({ name: 'Guangxi HRSS', department: 'tests', operations: ['certificates:activity'], regionCodes: ['450000'] });
    const unknown = serialKey(newSerialNumber());
    const later = new Date().toISOString();
    const refused = await api(
      p.baseUrl,
      'POST',
      '/api/v1/certificates/activity',
      { items: [nanning, guangzhou, { serial: unknown }].map((c) => ({ serial: c.serial, at: later, kind: 'business_use' })) },
      { 'x-api-key': guangxi },
    );
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'activity_unknown_serials', field: 'items', serials: [guangzhou.serial, unknown] });
    expect(await lastActivity(nanning.serial)).toEqual(new Date(at));
    expect(await lastActivity(guangzhou.serial)).toBeNull();

    const tooMany = Array.from({ length: ACTIVITY_REPORT_MAX_ITEMS + 1 }, () => ({ serial: nanning.serial, at: later, kind: 'business_use' }));
    const big = await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: tooMany });
    expect(big.status).toBe(400);
    expect(big.body).toMatchObject({ code: 'validation_failed', field: 'items' });
    const claimed = await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at: later, kind: 'certificate_login' }] });
    expect(claimed.status).toBe(400);
    expect(claimed.body).toMatchObject({ code: 'validation_failed', field: 'items.0.kind' });
    const badKind = await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at: later, kind: 'business_use' }, { serial: nanning.serial, at: 'soon', kind: 'x' }] });
    expect(badKind.status).toBe(400);
    expect(badKind.body.field).toBe('items.1.at');
    const future = await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at: new Date(Date.now() + 86_400_000).toISOString(), kind: 'business_use' }] });
    expect(future.status).toBe(400);
    expect(future.body.field).toBe('items.0.at');
    // a use before the certificate was issued (it would make a new certificate look idle for years): refused, named
    const early = await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at: later, kind: 'business_use' }, { serial: nanning.serial, at: new Date(Date.now() - 86_400_000).toISOString(), kind: 'business_use' }] });
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({ code: 'validation_failed', field: 'items.1.at' });
    expect(await lastActivity(nanning.serial)).toEqual(new Date(at));
    // a client without the operation
    const { apiKey: reader } = await p.gateway!.get(ClientsService).register({ name: 'reader', department: 'tests', operations: ['certificates:read'] });
    expect((await api(p.baseUrl, 'POST', '/api/v1/certificates/activity', { items: [{ serial: nanning.serial, at: later, kind: 'business_use' }] }, { 'x-api-key': reader })).status).toBe(403);
  });
});

describe('the 第二十条 run and the invalid list', () => {
  it('a dry run counts; the real run revokes (OCSP), suspends the seals, refuses lifecycle steps and lists them', async () => {
    const idle = await issue('450100');
    const used = await issue('450100');
    const lost = await issue('450100');
    const seal = await api(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'official', name: '南宁市某某科技有限公司', image: SEAL_PNG, widthMm: 42, heightMm: 42, certificateSerial: idle.serial });
    expect(seal.status, JSON.stringify(seal.body)).toBe(201);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${lost.serial}/freeze`, { comment: 'UKey lost' })).status).toBe(200);
    // two years back: idle issued 25 months ago and never used; used likewise but used 23 months ago; lost frozen 25 months ago
    await p.db.query('UPDATE cert.certificate SET not_before = $2, last_activity_at = NULL WHERE serial = $1', [idle.serial, monthsAgo(25)]);
    await p.db.query('UPDATE cert.certificate SET not_before = $2, last_activity_at = $3 WHERE serial = $1', [used.serial, monthsAgo(25), monthsAgo(23)]);
    await p.db.query('UPDATE cert.certificate SET not_before = $2, frozen_at = $2 WHERE serial = $1', [lost.serial, monthsAgo(25)]);

    const dry = await api(p.baseUrl, 'POST', '/api/v1/invalid-list/runs', { dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(202);
    const dryDone = await poll(dry.body.id);
    expect(dryDone).toMatchObject({ status: 'finished', dryRun: true, trigger: 'operator', total: 2 });
    expect(dryDone.counts).toEqual([
      { regionCode: '450100', reason: 'idle', count: 1 },
      { regionCode: '450100', reason: 'lost_unresolved', count: 1 },
    ]);
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${idle.serial}`)).body.status).toBe('active');

    const real = await api(p.baseUrl, 'POST', '/api/v1/invalid-list/runs', { dryRun: false });
    expect((await poll(real.body.id)).total).toBe(2);
    const view = (await api(p.baseUrl, 'GET', `/api/v1/certificates/${idle.serial}`)).body;
    expect(view).toMatchObject({ status: 'invalid', invalidReason: 'idle', revocationReason: 'cessationOfOperation' });
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${lost.serial}`)).body).toMatchObject({ status: 'invalid', invalidReason: 'lost_unresolved', revocationReason: 'keyCompromise' });
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${used.serial}`)).body.status).toBe('active');

    // relying parties: OCSP says revoked, with the reason
    const text = await ocspText(idle);
    expect(text).toMatch(/Cert Status: revoked/);
    expect(text).toMatch(/Revocation Reason: cessationOfOperation/);
    // the complete CRL of its CA lists it (rebuilt once, at the end of the run), with the reason
    const crlOf = async () => {
      const r = await fetch(`${p.baseUrl}/pki/crl/${view.caId}.crl`);
      expect(r.status).toBe(200);
      const f = dir.file(`crl-${Date.now()}-${Math.random()}.der`, Buffer.from(await r.arrayBuffer()));
      return opensslResult(['crl', '-inform', 'DER', '-in', f, '-noout', '-text']).out;
    };
    const crl = await waitFor(async () => {
      const t = await crlOf();
      return t.toUpperCase().includes(idle.serial.toUpperCase()) && t;
    }, 20_000);
    const entry = crl.slice(crl.toUpperCase().indexOf(idle.serial.toUpperCase())).split('Serial Number')[0]!;
    expect(entry).toContain('Cessation Of Operation');
    expect(crl.toUpperCase()).not.toContain(used.serial.toUpperCase());
    // lifecycle steps are refused
    const freeze = await api(p.baseUrl, 'POST', `/api/v1/certificates/${idle.serial}/freeze`, {});
    expect(freeze.status).toBe(409);
    expect(freeze.body.code).toBe('illegal_state_transition');
    // the event went out (bulk lane) and the seal-service suspended the seal
    await waitFor(async () => (await api(p.baseUrl, 'GET', `/api/v1/seals/${seal.body.id}`)).body.status === 'suspended', 20_000);
    // verifying the seal says why, and that it is final: invalid (失效), not a freeze (挂失) to wait out
    const esl = await fetch(`${p.baseUrl}/api/v1/seals/${seal.body.id}.esl`, { headers: { 'x-api-key': p.apiKey! } });
    expect(esl.status).toBe(200);
    const report = await api(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: Buffer.from(await esl.arrayBuffer()).toString('base64') });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.seal.ecert).toMatchObject({ sealStatus: 'suspended', certificateStatus: 'invalid' });
    expect(report.body.standing).toMatch(/invalid: 失效.*final/);
    expect(report.body.standing).not.toMatch(/frozen/);
    const { rows } = await p.db.query("SELECT published_at, subject FROM cert.outbox WHERE type = 'certificate.invalidated' AND aggregate_id = $1", [idle.serial]);
    expect(rows[0].published_at).not.toBeNull();
    // on the bulk lane's subject, followed by every follower's bulk consumer into its one inbox
    expect(rows[0].subject).toBe(bulkEventSubject('certificate.invalidated'));
    await waitFor(async () => (await p.db.query("SELECT 1 FROM gateway.audit_log WHERE action = 'event.certificate.invalidated' AND target = $1", [idle.serial])).rowCount, 20_000);
    await waitFor(async () => (await p.db.query("SELECT 1 FROM seal.inbox WHERE type = 'certificate.invalidated' AND aggregate_id = $1 AND consumer = $2", [idle.serial, durableConsumers().sealCertificates.name])).rowCount, 20_000);

    // the list, JSON and CSV
    const list = await api(p.baseUrl, 'GET', '/api/v1/invalid-list?region=450100&reason=idle');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { serial: string }) => i.serial)).toEqual([idle.serial]);
    expect(list.body.items[0]).toMatchObject({ invalidReason: 'idle', regionCode: '450100', unitName: '南宁市某某科技有限公司' });
    expect((await api(p.baseUrl, 'GET', '/api/v1/invalid-list?reason=gone')).body).toMatchObject({ status: 400, field: 'reason' });
    // Cursor pages: `next` of one page is `after` of the following one.
    const one = await api(p.baseUrl, 'GET', '/api/v1/invalid-list?region=450000&pageSize=1');
    expect(one.body).toMatchObject({ page: 1, pageSize: 1, total: 2, next: expect.any(String) });
    const two = await api(p.baseUrl, 'GET', `/api/v1/invalid-list?region=450000&pageSize=1&after=${one.body.next}`);
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    expect([...one.body.items, ...two.body.items].map((i: { serial: string }) => i.serial).sort()).toEqual([idle.serial, lost.serial].sort());
    expect(two.body.next).toBeUndefined();
    const csv = await fetch(`${p.baseUrl}/api/v1/invalid-list/export.csv?region=450000`, { headers: { 'x-api-key': p.apiKey! } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('serial,unitName,uscc,accountNo,regionCode,invalidReason,revocationReason,invalidatedAt,lastActivityAt,notAfter,ukeySerial,caId,profile');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([idle.serial, lost.serial].sort());
    const badCsv = await fetch(`${p.baseUrl}/api/v1/invalid-list/export.csv?since=yesterday`, { headers: { 'x-api-key': p.apiKey! } });
    expect(badCsv.status).toBe(400);
    expect(badCsv.headers.get('content-type')).toContain('application/problem+json');
  }, 90_000);
});

describe('renewal reminders', () => {
  it('a certificate expiring within 20 working days gets one certificate.renewal_due, counted on the workflow-service calendar over the bus', async () => {
    const soon = await issue('450100', 10);
    const later = await issue('450100', 200);
    const jobs = p.services.cert!.get(ReminderJobs);
    const first = await jobs.runOnce();
    expect(first.renewalDue).toBeGreaterThanOrEqual(1);
    const { rows } = await p.db.query("SELECT aggregate_id, payload FROM cert.outbox WHERE type = 'certificate.renewal_due' AND aggregate_id = ANY($1)", [[soon.serial, later.serial]]);
    expect(rows.map((r) => r.aggregate_id)).toEqual([soon.serial]);
    expect(rows[0].payload.data.windowOpensOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await jobs.runOnce()).renewalDue).toBe(0);
  });
});
