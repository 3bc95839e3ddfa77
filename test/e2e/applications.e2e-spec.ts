import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { samplePdf, samplePng, upload } from '../support/materials';
import { scanJpeg } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { startSealService } from '../../apps/seal-service/src/main';
import { startWorkflowService } from '../../apps/workflow-service/src/main';

/**
 * Applications end to end through the gateway: a business system files, staff of each tier logged
 * in by certificate decide, the CA operator's station reports production, the city office hands
 * the UKey to the handler — against the real services, PostgreSQL, NATS and Redis.
 */
let p: TestPlatform;
const dir = new TempDir();

type Headers = Record<string, string>;
const staffCache = new Map<string, Headers>();

beforeAll(async () => {
  p = await startTestPlatform({ env: { WORKFLOW_STEP_POLL_MS: '100', WORKFLOW_STEP_BACKOFF_MS: '100' } });
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

/** A staff member of a role and region with a personal certificate on a soft token, logged in by it. */
async function staff(role: string, regionCode: string, name = role): Promise<Headers & { staffId: string }> {
  const k = opensslCsr(dir, 'p256');
  const region = regionCode === '000000' ? '450100' : regionCode;
  const cert = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr: k.csr, unit: { name: '人社局', uscc: makeUscc(region), regionCode: region, accountNo: 'STAFF' }, person: { name, idNumber: makeResidentId() } });
  expect(cert.status, JSON.stringify(cert.body)).toBe(201);
  const s = await api(p.baseUrl, 'POST', '/api/v1/staff', { name, role, regionCode, certificateSerials: [cert.body.serial] });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' });
  const login = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.body.certificatePem, signature: signChallenge(k.keyPath, ch.body.challenge) }, { 'x-api-key': '' });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { authorization: `Bearer ${login.body.token}`, 'x-api-key': '', staffId: s.body.id };
}

async function staffOf(role: string, regionCode: string): Promise<Headers> {
  const key = `${role}@${regionCode}`;
  if (!staffCache.has(key)) staffCache.set(key, await staff(role, regionCode));
  return staffCache.get(key)!;
}

/** A business system (应用开通, 第二十二条) allowed to file and follow applications in its regions. */
async function businessSystem(regionCodes: string[]): Promise<Headers> {
  const r = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'HRSS business system', department: '社保经办', operations: ['applications:submit', 'applications:read'], regionCodes });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { 'x-api-key': r.body.apiKey };
}

function form(regionCode: string, over: Record<string, unknown> = {}) {
  const handlerId = makeResidentId(regionCode === '370481' ? '370481' : '450102');
  return {
    handlerId,
    body: {
      type: 'apply',
      unit: { name: regionCode === '370481' ? '滕州市某机械制造有限公司' : '南宁市某科技有限公司', address: regionCode === '370481' ? '滕州市学院中路1066号' : '南宁市民族大道60号', postalCode: regionCode === '370481' ? '277500' : '530000', uscc: makeUscc(regionCode), regionCode, accountNo: `SI${Math.floor(Math.random() * 1e8)}` },
      handler: { name: '李经办', idNumber: handlerId, phone: '13912345678', email: 'jingban@example.cn' },
      seals: [{ kind: 'official', name: regionCode === '370481' ? '滕州市某机械制造有限公司' : '南宁市某科技有限公司' }],
      ...over,
    },
  };
}

async function attach(id: string, kind: string, headers: Headers, bytes: Uint8Array = samplePdf(kind), type = 'application/pdf') {
  const r = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=${kind}`, bytes, type, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function attachAll(id: string, kinds: string[], headers: Headers) {
  let view;
  for (const k of kinds) view = k === 'seal_impression_form' ? await attach(id, k, headers, scanJpeg().jpeg, 'image/jpeg') : await attach(id, k, headers);
  return view;
}

async function decide(id: string, headers: Headers, decision: string, extra: Record<string, unknown> = {}) {
  return api(p.baseUrl, 'POST', `/api/v1/applications/${id}/decisions`, { decision, ...extra }, headers);
}

async function approveThrough(id: string, tiers: { role: string; region: string }[]) {
  let last;
  for (const t of tiers) {
    last = await decide(id, await staffOf(t.role, t.region), 'approve');
    expect(last.status, JSON.stringify(last.body)).toBe(200);
  }
  return last!.body;
}

/** Reads as a national administrator unless told otherwise (a client system sees only what it filed). */
async function get(id: string, headers?: Headers) {
  const r = await api(p.baseUrl, 'GET', `/api/v1/applications/${id}`, undefined, headers ?? (await staffOf('admin', '000000')));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function waitStatus(id: string, status: string, timeoutMs = 20_000) {
  return waitFor(async () => {
    const v = await get(id);
    if (v.status === 'needs_attention' && status !== 'needs_attention') throw new Error(`needs attention: ${JSON.stringify(v.attention)}`);
    return v.status === status && v;
  }, timeoutMs, 150);
}

async function issueExisting(regionCode: string, accountNo: string, uscc: string, name: string) {
  const k = opensslCsr(dir, 'p256');
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: k.csr, unit: { name, uscc, regionCode, accountNo } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

let ukeyCounter = 0;
/** A UKey delivered to the province's stock (imported by the harness client, national). */
async function stockUkey(): Promise<string> {
  const serial = `UK-${Date.now().toString(36)}-${++ukeyCounter}`;
  const r = await api(p.baseUrl, 'POST', '/api/v1/ukeys/import', { batch: `B-${serial}`, deliveredOn: '2026-11-20', items: [{ serial, vendor: '飞天诚信', model: 'ePass3003' }] });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return serial;
}

/** The province sends the produced UKey to the city office, whose staff sign for it. */
async function dispatchTo(serial: string, office: string) {
  const batch = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: office, serials: [serial] }, await staffOf('province_approver', `${office.slice(0, 2)}0000`));
  expect(batch.status, JSON.stringify(batch.body)).toBe(201);
  const receipt = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.body.id}/receipt`, {}, await staffOf('city_reviewer', office));
  expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
}

/** Production onto a fresh UKey, then its dispatch to the city office: the application is ready for collection. */
async function produceAndDispatch(id: string, office: string, kind: 'p256' | 'sm2' = 'p256') {
  const ukey = await stockUkey();
  const k = opensslCsr(dir, kind);
  const produced = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/production`, { ukeySerial: ukey, csr: k.csr }, await staffOf('ca_operator', '000000'));
  expect(produced.status, JSON.stringify(produced.body)).toBe(200);
  await waitFor(async () => (await get(id)).steps.some((s: { name: string; status: string }) => s.name === 'dispatch' && s.status === 'running'), 20_000, 150);
  await dispatchTo(ukey, office);
  return { ukey, ready: await waitStatus(id, 'ready_for_collection') };
}

const TENGZHOU_ROUTE = [
  { role: 'county_acceptor', region: '370481' },
  { role: 'city_reviewer', region: '370400' },
  { role: 'province_approver', region: '370000' },
];

describe('a first certificate and official seal (000_…: the Tengzhou unit)', () => {
  it('goes from the business system through three tiers, production and collection, with one certificate and one seal', async () => {
    const system = await businessSystem(['370481']);
    const { body, handlerId } = form('370481');
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ status: 'draft', route: ['county', 'city', 'province'] });
    expect(created.body.checklist.missing).toEqual(['certificate_form', 'seal_form', 'uscc_copy', 'handler_id_copy', 'seal_impression_form']);
    expect(created.body.handler.idNumberMasked).not.toContain(handlerId.slice(6, 14));

    const early = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('materials_missing');
    expect(early.body.missing).toHaveLength(5);

    const withMaterials = await attachAll(id, ['certificate_form', 'seal_form', 'uscc_copy', 'handler_id_copy', 'seal_impression_form'], system);
    expect(withMaterials.checklist.missing).toEqual([]);
    expect(withMaterials.materials.map((m: { mediaType: string }) => m.mediaType)).toContain('image/jpeg');

    const submitted = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'under_review', tier: 'county' });
    expect(submitted.body.deadline).toMatchObject({ limitWorkingDays: 15, overdue: false });

    const approved = await approveThrough(id, TENGZHOU_ROUTE);
    expect(approved.status).toBe('awaiting_production');
    expect(approved.decisions.map((d: { tier: string }) => d.tier)).toEqual(['county', 'city', 'province']);
    expect(approved.decisions[0].materialsSeen).toHaveLength(5);

    // The CA operator's station: keys generated on a UKey from stock, CSR and UKey serial sent.
    const { ukey, ready } = await produceAndDispatch(id, '370400', 'sm2');
    expect(ready.results.certificateSerial).toMatch(/^[0-9a-f]+$/);
    expect(ready.results.sealIds).toHaveLength(1);
    expect(ready.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'await_production:done',
      'issue_certificate:done',
      'make_seals:done',
      'dispatch:done',
      'await_collection:running',
    ]);
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${ready.results.certificateSerial}`)).body.ukeySerial).toBe(ukey);

    const cityOffice = await staffOf('city_reviewer', '370400');
    const wrongPerson = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, { collector: { name: '张冒领', idNumber: makeResidentId('370481') } }, cityOffice);
    expect(wrongPerson.status).toBe(422);
    expect(wrongPerson.body.field).toBe('collector.idNumber');
    const collected = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, { collector: { name: '李经办', idNumber: handlerId } }, cityOffice);
    expect(collected.status, JSON.stringify(collected.body)).toBe(200);
    expect(collected.body.status).toBe('completed');
    const key = await api(p.baseUrl, 'GET', `/api/v1/ukeys/${ukey}`);
    expect(key.body).toMatchObject({ state: 'collected', collector: { name: '李经办' }, certificateSerials: [ready.results.certificateSerial] });
    expect(key.body.warrantyUntil).toBeDefined();

    const certs = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${body.unit.uscc}`);
    expect(certs.body.items).toHaveLength(1);
    expect(certs.body.items[0].keyAlgorithm).toMatch(/SM2/i);
    const seals = await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${body.unit.uscc}`);
    expect(seals.body.items).toHaveLength(1);
    expect(seals.body.items[0]).toMatchObject({ kind: 'official', certificate: { serial: ready.results.certificateSerial } });
    expect(seals.body.items[0].image.source).toBe('upload');

    const events = await p.db.query(`SELECT type FROM workflow.outbox WHERE aggregate_id = $1 ORDER BY created_at, type`, [id]);
    expect(new Set(events.rows.map((r: { type: string }) => r.type))).toEqual(
      new Set(['application.submitted', 'application.forwarded', 'application.approved', 'application.produced', 'application.ready_for_collection', 'application.collected', 'application.completed']),
    );
    // The business system that filed it follows it; another one does not see it.
    expect((await get(id, system)).status).toBe('completed');
    const other = await businessSystem(['370481']);
    expect((await api(p.baseUrl, 'GET', `/api/v1/applications/${id}`, undefined, other)).status).toBe(404);
    // A second first-certificate application for the account is refused: more only as additional.
    const again = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('certificate_already_held');
  });
});

describe('a change of name by post (003_…: a Guangxi unit)', () => {
  it('goes to the province directly, issues under the new name, carries the seals over and revokes the old certificate', async () => {
    const uscc = makeUscc('450102');
    const old = await issueExisting('450102', 'GX-001', uscc, '南宁市旧名称有限公司');
    const seal = await api(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'official', name: '南宁市旧名称有限公司', generateImage: {}, widthMm: 42, heightMm: 42, certificateSerial: old.serial });
    expect(seal.status, JSON.stringify(seal.body)).toBe(201);
    const system = await businessSystem(['450000']);
    const { body, handlerId } = form('450102', { type: 'change', channel: 'by_post', targetSerial: old.serial, changes: ['name'], seals: [] });
    body.unit = { ...body.unit, uscc, accountNo: 'GX-001', name: '南宁市新名称有限公司' };
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.route).toEqual(['province']);
    expect(created.body.checklist.required).toContain('establishment_document');
    const id = created.body.id;
    await attachAll(id, created.body.checklist.missing, system);
    expect((await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system)).status).toBe(200);
    const approved = await approveThrough(id, [{ role: 'province_approver', region: '450000' }]);
    expect(approved.deadline.limitWorkingDays).toBe(10);
    const { ready } = await produceAndDispatch(id, '450100');
    expect(ready.results.replacedSerial).toBe(old.serial);
    const fresh = await api(p.baseUrl, 'GET', `/api/v1/certificates/${ready.results.certificateSerial}`);
    expect(fresh.body.unit.name).toBe('南宁市新名称有限公司');
    const oldNow = await api(p.baseUrl, 'GET', `/api/v1/certificates/${old.serial}`);
    expect(oldNow.body).toMatchObject({ status: 'revoked', revocationReason: 'affiliationChanged' });
    const newSeals = await api(p.baseUrl, 'GET', `/api/v1/seals?certificateSerial=${ready.results.certificateSerial}`);
    expect(newSeals.body.items).toHaveLength(1);
    expect(newSeals.body.items[0].name).toBe('南宁市新名称有限公司');
    const done = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, { collector: { name: '李经办', idNumber: handlerId } }, await staffOf('city_reviewer', '450100'));
    expect(done.body.status).toBe('completed');
  });
});

describe('a lost UKey: reported, then reissued', () => {
  it('freezes the certificate on acceptance, before any review; the reissue revokes it as keyCompromise', async () => {
    const uscc = makeUscc('450102');
    const old = await issueExisting('450102', 'GX-LOST', uscc, '南宁市遗失单位有限公司');
    const system = await businessSystem(['450000']);
    const { body, handlerId } = form('450102', { type: 'report_loss', targetSerial: old.serial, seals: [], statement: '经办人外出时遗失UKey' });
    body.unit = { ...body.unit, uscc, accountNo: 'GX-LOST', name: '南宁市遗失单位有限公司' };
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    await attachAll(id, created.body.checklist.missing, system);
    const submitted = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    // Frozen by the time the submission is answered: a lost key stops being trusted at once.
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${old.serial}`)).body.status).toBe('frozen');
    expect(submitted.body.steps[0]).toMatchObject({ name: 'freeze_certificate', status: 'done' });
    await approveThrough(id, [
      { role: 'county_acceptor', region: '450102' },
      { role: 'city_reviewer', region: '450100' },
    ]);
    expect((await get(id)).status).toBe('completed');

    const reissue = form('450102', { type: 'reissue', channel: 'by_post', targetSerial: old.serial, seals: [], statement: '遗失补办' });
    reissue.body.unit = { ...body.unit };
    reissue.body.handler = { ...body.handler };
    const r = await api(p.baseUrl, 'POST', '/api/v1/applications', reissue.body, system);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await attachAll(r.body.id, r.body.checklist.missing, system);
    expect((await api(p.baseUrl, 'POST', `/api/v1/applications/${r.body.id}/submit`, {}, system)).status).toBe(200);
    await approveThrough(r.body.id, [{ role: 'province_approver', region: '450000' }]);
    const { ready } = await produceAndDispatch(r.body.id, '450100');
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${old.serial}`)).body).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${ready.results.certificateSerial}`)).body.status).toBe('active');
    const done = await api(p.baseUrl, 'POST', `/api/v1/applications/${r.body.id}/collection`, { collector: { name: '李经办', idNumber: handlerId } }, await staffOf('city_reviewer', '450100'));
    expect(done.body.status).toBe('completed');
  });

  it('a rejected report of loss lifts the freeze it made', async () => {
    const uscc = makeUscc('450102');
    const old = await issueExisting('450102', 'GX-FALSE', uscc, '南宁市误报单位');
    const system = await businessSystem(['450000']);
    const { body } = form('450102', { type: 'report_loss', targetSerial: old.serial, seals: [], statement: '误报' });
    body.unit = { ...body.unit, uscc, accountNo: 'GX-FALSE', name: '南宁市误报单位' };
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    await attachAll(created.body.id, created.body.checklist.missing, system);
    await api(p.baseUrl, 'POST', `/api/v1/applications/${created.body.id}/submit`, {}, system);
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${old.serial}`)).body.status).toBe('frozen');
    const rejected = await decide(created.body.id, await staffOf('county_acceptor', '450102'), 'reject', { reason: '经核实非本单位经办人申报' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    await waitFor(async () => (await api(p.baseUrl, 'GET', `/api/v1/certificates/${old.serial}`)).body.status === 'active');
    await waitFor(async () => (await get(created.body.id)).steps.some((s: { name: string; status: string }) => s.name === 'freeze_certificate' && s.status === 'compensated'));
  });
});

describe('decisions', () => {
  async function underReview(regionCode = '370481', headers?: Headers, over: Record<string, unknown> = {}) {
    const system = headers ?? (await businessSystem([regionCode]));
    const { body } = form(regionCode, over);
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await attachAll(created.body.id, created.body.checklist.missing, system);
    const s = await api(p.baseUrl, 'POST', `/api/v1/applications/${created.body.id}/submit`, {}, system);
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    return { id: created.body.id as string, system, body };
  }

  it('a rejection states its reason, the applicant sees it, and a closed application takes no further decision', async () => {
    const { id, system } = await underReview();
    const acceptor = await staffOf('county_acceptor', '370481');
    const noReason = await decide(id, acceptor, 'reject');
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    const r = await decide(id, acceptor, 'reject', { reason: '营业执照复印件未加盖公章' });
    expect(r.status).toBe(200);
    const seen = await get(id, system);
    expect(seen).toMatchObject({ status: 'rejected', rejection: { reason: '营业执照复印件未加盖公章', tier: 'county' } });
    const late = await decide(id, await staffOf('city_reviewer', '370400'), 'approve');
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('application_closed');
    const attach = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=uscc_copy`, samplePdf('again'), 'application/pdf', system);
    expect(attach.status).toBe(409);
  });

  it('a return for supplement stops the clock; the applicant adds materials and it goes back to the tier that returned it', async () => {
    const { id, system } = await underReview();
    await approveThrough(id, [{ role: 'county_acceptor', region: '370481' }]);
    const city = await staffOf('city_reviewer', '370400');
    const returned = await decide(id, city, 'return', { reason: '身份证复印件不清晰，请重新提交', missing: ['handler_id_copy'] });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body).toMatchObject({ status: 'returned', tier: 'city', returned: { missing: ['handler_id_copy'] } });
    expect(returned.body.deadline.overdue).toBe(false);
    await attach(id, 'handler_id_copy', system, samplePng(), 'image/png');
    const again = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'under_review', tier: 'city' });
    expect(again.body.timeline.map((t: { what: string }) => t.what)).toContain('resubmitted');
    expect((await decide(id, city, 'approve')).status).toBe(200);
  });

  it('staff act only within their region, and nobody decides what they filed or at two tiers', async () => {
    const { id } = await underReview();
    const otherCounty = await staffOf('county_acceptor', '370402');
    const outside = await decide(id, otherCounty, 'approve');
    expect(outside.status).toBe(403);
    const guangxiCity = await staffOf('city_reviewer', '450100');
    expect((await decide(id, guangxiCity, 'approve')).status).toBe(403);
    // A client system never decides.
    expect((await decide(id, {}, 'approve')).status).toBe(403);

    // The acceptor who filed it at the counter cannot accept it.
    const counter = await staff('county_acceptor', '370481', '窗口受理员');
    const filedAtCounter = await underReview('370481', counter);
    const own = await decide(filedAtCounter.id, counter, 'approve');
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('four_eyes');

    // A city-level acceptance point accepts for the counties of its city.
    const cityAcceptor = await staff('county_acceptor', '370400', '市级受理员');
    expect((await decide(id, cityAcceptor, 'approve')).status).toBe(200);
    const nothingChanged = await get(id);
    expect(nothingChanged.tier).toBe('city');
  });

  it('of two concurrent decisions one wins and the other is a 409; a stale If-Match is a 409', async () => {
    const { id } = await underReview();
    const [a, b] = await Promise.all([staff('county_acceptor', '370481', '甲'), staff('county_acceptor', '370481', '乙')]);
    const results = await Promise.all([decide(id, a, 'approve'), decide(id, b, 'approve')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const v = await get(id);
    expect(v.decisions).toHaveLength(1);
    const stale = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/decisions`, { decision: 'approve' }, { ...(await staffOf('city_reviewer', '370400')), 'if-match': String(v.version - 1) });
    expect(stale.status).toBe(409);
    expect((await get(id)).tier).toBe('city');
  });

  it('an additional certificate needs its justification accepted (第九条)', async () => {
    const { id } = await underReview('370481', undefined, { type: 'additional', justification: '财务部门单独办理社保缴费业务需要第二张证书' });
    const acceptor = await staffOf('county_acceptor', '370481');
    const r = await decide(id, acceptor, 'approve');
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('justificationAccepted');
    expect((await decide(id, acceptor, 'approve', { justificationAccepted: true })).status).toBe(200);
  });
});

describe('the list', () => {
  it('pages newest first with next/after, unaffected by applications filed meanwhile', async () => {
    const system = await businessSystem(['450102']);
    const file = async () => {
      const r = await api(p.baseUrl, 'POST', '/api/v1/applications', form('450102').body, system);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const ids = [await file(), await file(), await file()];
    const first = await api(p.baseUrl, 'GET', '/api/v1/applications?pageSize=2', undefined, system);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(first.body.items.map((a: { id: string }) => a.id)).toEqual([ids[2], ids[1]]);
    await file();
    const second = await api(p.baseUrl, 'GET', `/api/v1/applications?pageSize=2&after=${first.body.next}`, undefined, system);
    expect(second.status).toBe(200);
    expect(second.body.items.map((a: { id: string }) => a.id)).toEqual([ids[0]]);
    expect(second.body.next).toBeUndefined();
    expect((await api(p.baseUrl, 'GET', '/api/v1/applications?after=not-a-cursor', undefined, system)).body).toMatchObject({ status: 400, field: 'after' });
  });
});

describe('bad input changes nothing', () => {
  it('refuses an unknown type, a fake PDF, an oversized upload, another unit’s certificate, and a bad id', async () => {
    const system = await businessSystem(['370481']);
    const before = await p.db.query('SELECT count(*)::int AS n FROM workflow.application');
    const unknown = await api(p.baseUrl, 'POST', '/api/v1/applications', { ...form('370481').body, type: 'transfer' }, system);
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('type');
    const badId = await api(p.baseUrl, 'POST', '/api/v1/applications', { ...form('370481').body, handler: { ...form('370481').body.handler, idNumber: '370481198503121230' } }, system);
    expect(badId.status).toBe(400);
    expect(badId.body.field).toMatch(/handler.idNumber/);
    const foreign = await issueExisting('450102', 'X', makeUscc('450102'), '别家单位');
    const notOurs = await api(p.baseUrl, 'POST', '/api/v1/applications', { ...form('370481').body, type: 'report_loss', seals: [], targetSerial: foreign.serial, statement: '遗失' }, await businessSystem(['370481', '450000']));
    expect(notOurs.status).toBe(422);
    expect(notOurs.body.field).toBe('targetSerial');
    expect((await p.db.query('SELECT count(*)::int AS n FROM workflow.application')).rows[0].n).toBe(before.rows[0].n);

    const { body } = form('370481');
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    const id = created.body.id;
    const fake = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=uscc_copy`, Buffer.from('this is not a PDF, only its name says so'), 'application/pdf', system);
    expect([415, 422]).toContain(fake.status);
    expect(fake.body.field).toBe('file');
    const pngAsPdf = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=uscc_copy`, samplePng(), 'application/pdf', system);
    expect([415, 422]).toContain(pngAsPdf.status);
    const huge = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=uscc_copy`, Buffer.alloc(p.config.MATERIAL_MAX_BYTES + 1024, 0x25), 'application/pdf', system);
    expect(huge.status).toBe(413);
    const wrongKind = await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=passport`, samplePdf(), 'application/pdf', system);
    expect(wrongKind.status).toBe(400);
    expect((await get(id)).materials).toEqual([]);
    const notUuid = await api(p.baseUrl, 'GET', '/api/v1/applications/not-a-uuid', undefined, system);
    expect(notUuid.status).toBe(400);
  });
});

describe('the SLA clock in Chinese working days', () => {
  it('counts across the National Day holiday and lands a tier deadline on an adjusted working Saturday', async () => {
    const system = await businessSystem(['450000']);
    const uscc = makeUscc('450102');
    const old = await issueExisting('450102', 'GX-SLA', uscc, '南宁市时限单位');
    const { body } = form('450102', { type: 'change', channel: 'by_post', targetSerial: old.serial, changes: ['people'], seals: [] });
    body.unit = { ...body.unit, uscc, accountNo: 'GX-SLA', name: '南宁市时限单位' };
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    await attachAll(created.body.id, created.body.checklist.missing, system);
    await api(p.baseUrl, 'POST', `/api/v1/applications/${created.body.id}/submit`, {}, system);
    // Accepted on 2025-09-30 at 10:00 Beijing time, the eve of National Day (10-01 … 10-08 off; 10-11 a working Saturday).
    await p.db.query(`UPDATE workflow.application SET accepted_at = '2025-09-30T02:00:00Z', tier_entered_at = '2025-09-30T02:00:00Z' WHERE id = $1`, [created.body.id]);
    const v = await get(created.body.id);
    // 10 working days: 10-09, 10, 11 (Sat), 13, 14, 15, 16, 17, 20, 21.
    expect(v.deadline.dueAt).toBe('2025-10-21T15:59:59.999Z');
    // The province's 3 working days: 10-09, 10-10, 10-11 — the adjusted Saturday.
    expect(v.deadline.stepDueAt).toBe('2025-10-11T15:59:59.999Z');
    expect(v.deadline.overdue).toBe(true);
    // A return refreshes the stored due date: the overdue list follows the view (and pauses stop it).
    const province = await staffOf('province_approver', '450000');
    await decide(created.body.id, province, 'return', { reason: '编办文件不清晰', missing: ['establishment_document'] });
    const paused = await api(p.baseUrl, 'GET', `/api/v1/applications?overdue=true&regionCode=450102&pageSize=100`, undefined, province);
    expect(paused.body.items.map((a: { id: string }) => a.id)).not.toContain(created.body.id);
    // The same bytes again are not a supplement: a new, legible copy is.
    expect((await attach(created.body.id, 'establishment_document', system)).checklist.missing).toEqual(['establishment_document']);
    await attach(created.body.id, 'establishment_document', system, samplePdf('编办文件（清晰）'));
    const resubmitted = await api(p.baseUrl, 'POST', `/api/v1/applications/${created.body.id}/submit`, {}, system);
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    const overdue = await api(p.baseUrl, 'GET', `/api/v1/applications?overdue=true&regionCode=450102&tier=province&pageSize=100`, undefined, province);
    expect(overdue.status).toBe(200);
    expect(overdue.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);
  });

  it('reports the calendar years it knows and takes an operator override for a year the package lacks', async () => {
    const status = await api(p.baseUrl, 'GET', '/api/v1/calendar');
    expect(status.status).toBe(200);
    expect(status.body.knownYears).toContain(2025);
    const bad = await api(p.baseUrl, 'PUT', '/api/v1/calendar/2031', { holidays: ['2031-13-01'], workdays: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toMatch(/holidays/);
    const put = await api(p.baseUrl, 'PUT', '/api/v1/calendar/2031', { holidays: ['2031-01-01'], workdays: [], source: '国务院办公厅通知 (test)' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.overrideYears).toContain(2031);
  });
});

describe('a saga interrupted by killed services', () => {
  it('completes after the seal-service and the workflow-service come back, with exactly one certificate and one seal', async () => {
    const system = await businessSystem(['370481']);
    const { body } = form('370481');
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    const id = created.body.id;
    await attachAll(id, created.body.checklist.missing, system);
    await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
    await approveThrough(id, TENGZHOU_ROUTE);
    await p.services.seal!.close();
    const ukey = await stockUkey();
    const k = opensslCsr(dir, 'p256');
    expect((await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/production`, { ukeySerial: ukey, csr: k.csr }, await staffOf('ca_operator', '000000'))).status).toBe(200);
    // The certificate is issued; the seal step fails against the dead seal-service and is retried.
    await waitFor(async () => {
      const v = await get(id);
      const seals = v.steps.find((s: { name: string }) => s.name === 'make_seals');
      return v.results.certificateSerial && seals.attempts >= 2 && seals.lastError;
    }, 30_000, 200);
    await p.services.workflow!.close();
    // Into the platform's own record, so its close() stops them.
    p.services.seal = await startSealService(p.config);
    p.services.workflow = await startWorkflowService(p.config);
    await waitFor(async () => (await get(id)).steps.some((s: { name: string; status: string }) => s.name === 'dispatch' && s.status === 'running'), 40_000, 200);
    await dispatchTo(ukey, '370400');
    const ready = await waitStatus(id, 'ready_for_collection', 20_000);
    const certs = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${body.unit.uscc}`);
    expect(certs.body.items).toHaveLength(1);
    const seals = await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${body.unit.uscc}`);
    expect(seals.body.items).toHaveLength(1);
    expect(seals.body.items[0].certificate.serial).toBe(ready.results.certificateSerial);
  });
});

describe('a damaged UKey replaced within its warranty (第十八条)', () => {
  /** A Guangxi unit's first certificate and seal, collected on a UKey: what a replacement is about. */
  async function unitWithUkey() {
    const system = await businessSystem(['450000']);
    const { body, handlerId } = form('450102');
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    await attachAll(id, created.body.checklist.missing, system);
    expect((await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system)).status).toBe(200);
    await approveThrough(id, [
      { role: 'county_acceptor', region: '450102' },
      { role: 'city_reviewer', region: '450100' },
      { role: 'province_approver', region: '450000' },
    ]);
    const { ukey, ready } = await produceAndDispatch(id, '450100');
    const done = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, { collector: { name: '李经办', idNumber: handlerId } }, await staffOf('city_reviewer', '450100'));
    expect(done.body.status).toBe('completed');
    return { system, body, handlerId, ukey, serial: ready.results.certificateSerial as string };
  }

  it('needs the reviewer’s non-human cause, the old UKey returned before the new one is handed over, and retires it then', async () => {
    const u = await unitWithUkey();
    const city = await staffOf('city_reviewer', '450100');
    const replacement = { ...u.body, type: 'medium_replacement', targetSerial: u.serial, seals: [], statement: '芯片无法识别，外观无损', damageNotUserCaused: true };
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', replacement, u.system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.targetUkeySerial).toBe(u.ukey);
    const id = created.body.id;
    await attachAll(id, created.body.checklist.missing, u.system);
    expect((await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, u.system)).status).toBe(200);
    const noCause = await decide(id, city, 'approve');
    expect([noCause.status, noCause.body.field]).toEqual([400, 'nonHumanCause']);
    expect((await decide(id, city, 'approve', { nonHumanCause: true })).status).toBe(200);
    expect((await decide(id, await staffOf('province_approver', '450000'), 'approve')).status).toBe(200);
    await waitFor(async () => (await api(p.baseUrl, 'GET', `/api/v1/ukeys/${u.ukey}`)).body.state === 'damaged');
    const { ukey: fresh, ready } = await produceAndDispatch(id, '450100');
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${u.serial}`)).body).toMatchObject({ status: 'revoked', revocationReason: 'superseded' });
    const seals = await api(p.baseUrl, 'GET', `/api/v1/seals?certificateSerial=${ready.results.certificateSerial}`);
    expect(seals.body.items).toHaveLength(1);

    const handOver = { collector: { name: '李经办', idNumber: u.handlerId } };
    const early = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, handOver, city);
    expect([early.status, early.body.code]).toEqual([409, 'old_ukey_not_returned']);
    const returned = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${u.ukey}/transitions`, { action: 'return', reason: '经办人交回损坏的UKey' }, city);
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    const collected = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, handOver, city);
    expect(collected.status, JSON.stringify(collected.body)).toBe(200);
    await waitStatus(id, 'completed');
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys/${u.ukey}`)).body.state).toBe('terminated');
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys/${fresh}`)).body.state).toBe('collected');
  });

  it('is accepted the day before the warranty ends and refused the day after: then it is a reissue', async () => {
    const u = await unitWithUkey();
    const replacement = { ...u.body, type: 'medium_replacement', targetSerial: u.serial, seals: [], statement: '无法识别', damageNotUserCaused: true };
    await p.db.query(`UPDATE cert.ukey SET warranty_until = now() - interval '1 day' WHERE serial = $1`, [u.ukey]);
    const late = await api(p.baseUrl, 'POST', '/api/v1/applications', replacement, u.system);
    expect([late.status, late.body.code, late.body.field]).toEqual([422, 'warranty_expired', 'targetSerial']);
    await p.db.query(`UPDATE cert.ukey SET warranty_until = now() + interval '1 day' WHERE serial = $1`, [u.ukey]);
    const inTime = await api(p.baseUrl, 'POST', '/api/v1/applications', replacement, u.system);
    expect(inTime.status, JSON.stringify(inTime.body)).toBe(201);
  });
});
