import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskResidentId, NATIONAL_SCOPE, OPERATIONS, ProblemError, requestContext } from '@ecert/common';
import { Subjects, type CertificateView, type ProductionSoPinView, type UkeyView, type UnlockAuthorisationView } from '@ecert/contracts';
import { BusIdentity, BusRpcClient } from '@ecert/messaging';
import { chinaDate, deriveUkeySoPin, ukeyWarrantyUntil } from '@ecert/pki';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api } from '../support/http';

/**
 * UKeys through the gateway against the real cert-service, PostgreSQL, NATS and Redis: inventory,
 * the state machine with the certificates on each key, dispatch to the city offices and their
 * receipt, and — over the bus, as the workflow-service and as the gateway — collection and the
 * SO PIN releases that only the workflow-service may ask for.
 */
let p: TestPlatform;
let gatewayBus: BusRpcClient;
let workflowBus: BusRpcClient;
const dir = new TempDir();
const run = randomBytes(3).toString('hex').toUpperCase();
let n = 0;
const newSerial = () => `UK-${run}-${String(++n).padStart(4, '0')}`;
const today = () => chinaDate(new Date());

type Headers = Record<string, string>;
const staffCache = new Map<string, Headers>();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'] });
  gatewayBus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'gateway'), 'ukeys-test-gateway');
  workflowBus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'workflow-service'), 'ukeys-test-workflow');
});

afterAll(async () => {
  await gatewayBus?.close();
  await workflowBus?.close();
  await p?.close();
  dir.remove();
});

/** The workflow-service carrying out an application (its own errand: national). */
const workflow = <T>(subject: string, data: unknown) => requestContext.run({ requestId: `ukeys-${randomUUID()}` }, () => workflowBus.call<T>(subject, data, { timeoutMs: 15_000 }));
/** The gateway relaying a client that holds every operation nationally. */
const asGateway = <T>(subject: string, data: unknown) =>
  requestContext.run({ requestId: `ukeys-${randomUUID()}`, clientId: 'ukeys-test', operations: [...OPERATIONS], regions: [NATIONAL_SCOPE] }, () => gatewayBus.call<T>(subject, data, { timeoutMs: 15_000 }));

async function refusal(call: Promise<unknown>): Promise<ProblemError> {
  const e = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ProblemError)) throw new Error(`expected a problem, got ${e === undefined ? 'success' : String(e)}`);
  return e;
}

function signChallenge(keyPath: string, challenge: string): string {
  const data = dir.file(`challenge-${Math.random()}.bin`, Buffer.from(challenge, 'base64'));
  const sig = dir.file(`challenge-${Math.random()}.sig`);
  opensslResult(['dgst', '-sha256', '-sign', keyPath, '-out', sig, data]);
  return readFileSync(sig).toString('base64');
}

/** A staff member of a role and region, logged in by a personal certificate (as in applications.e2e-spec). */
async function staff(role: string, regionCode: string): Promise<Headers> {
  const key = `${role}@${regionCode}`;
  if (staffCache.has(key)) return staffCache.get(key)!;
  const k = opensslCsr(dir, 'p256');
  const region = regionCode === '000000' ? '450100' : regionCode;
  const cert = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr: k.csr, unit: { name: '人社局', uscc: makeUscc(region), regionCode: region, accountNo: 'STAFF' }, person: { name: role, idNumber: makeResidentId() } });
  expect(cert.status, JSON.stringify(cert.body)).toBe(201);
  const s = await api(p.baseUrl, 'POST', '/api/v1/staff', { name: role, role, regionCode, certificateSerials: [cert.body.serial] });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' });
  const login = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.body.certificatePem, signature: signChallenge(k.keyPath, ch.body.challenge) }, { 'x-api-key': '' });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const headers = { authorization: `Bearer ${login.body.token}`, 'x-api-key': '' };
  staffCache.set(key, headers);
  return headers;
}

async function importKeys(serials: string[], extra: Record<string, unknown> = {}, headers?: Headers) {
  return api(p.baseUrl, 'POST', '/api/v1/ukeys/import', { batch: `LOT-${run}`, deliveredOn: today(), items: serials.map((serial) => ({ serial, vendor: '飞天诚信', model: 'ePass3003' })), ...extra }, headers);
}

async function imported(count = 1, extra: Record<string, unknown> = {}): Promise<string[]> {
  const serials = Array.from({ length: count }, newSerial);
  const r = await importKeys(serials, extra);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return serials;
}

async function getKey(serial: string, headers?: Headers): Promise<UkeyView> {
  const r = await api<UkeyView>(p.baseUrl, 'GET', `/api/v1/ukeys/${serial}`, undefined, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function transition(serial: string, body: Record<string, unknown>, expected = 200, headers?: Headers) {
  const r = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${serial}/transitions`, body, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}

const unitOf = (uscc = makeUscc('450100')) => ({ name: '南宁市某某科技有限公司', uscc, regionCode: '450102', accountNo: `SI${run}${n}` });

/** A unit certificate issued onto the UKey for the application. */
/** Issuance onto a UKey is a step of an application: the workflow-service sends it. */
async function issueOnto(ukeySerial: string, applicationId: string, unit = unitOf()) {
  return workflow<CertificateView>(Subjects.cert.issue, { profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit, ukeySerial, applicationId });
}

const certificate = async (serial: string) => (await api<CertificateView>(p.baseUrl, 'GET', `/api/v1/certificates/${serial}`)).body;

async function dispatchBatch(serials: string[], officeRegionCode = '450100', expected = 201, headers?: Headers) {
  const r = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode, serials }, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}

const collector = () => ({ name: '李经办', idNumberMasked: maskResidentId(makeResidentId('450102')) });

/** Dispatched to the Nanning office, received there and collected on its application. */
async function deliver(serial: string): Promise<UkeyView> {
  const batch = await dispatchBatch([serial]);
  const receipt = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`, undefined, await staff('city_reviewer', '450100'));
  expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
  const { applicationId } = await getKey(serial);
  return workflow<UkeyView>(Subjects.cert.ukeyCollect, { serial, applicationId, collector: collector() });
}

/** A UKey in the unit's hands with `certificates` unit certificates on it. */
async function keyInUse(certificates = 1) {
  const [serial] = await imported();
  const applicationId = randomUUID();
  const unit = unitOf();
  const certs: CertificateView[] = [];
  for (let i = 0; i < certificates; i++) certs.push(await issueOnto(serial!, applicationId, unit));
  await deliver(serial!);
  await transition(serial!, { action: 'activate' });
  return { serial: serial!, applicationId, unit, certs };
}

/**
 * What the platform's OCSP responder says of a certificate, asked by GET without a nonce: the
 * answers the gateway and the cert-service cache, so a stale "good" would show here.
 */
async function ocspStatus(cert: CertificateView): Promise<string> {
  const leaf = dir.file(`${cert.serial}.pem`, cert.certificatePem);
  const issuing = dir.file(`${cert.serial}-issuing.pem`, cert.chainPem[0]);
  const bundle = dir.file(`${cert.serial}-bundle.pem`, cert.chainPem[1]! + cert.chainPem[0]!);
  const req = dir.file(`${cert.serial}-${Math.random()}.req`);
  opensslResult(['ocsp', '-issuer', issuing, '-cert', leaf, '-no_nonce', '-reqout', req]);
  const res = await fetch(`${p.baseUrl}/pki/ocsp/${encodeURIComponent(readFileSync(req).toString('base64'))}`);
  expect(res.status).toBe(200);
  const resp = dir.file(`${cert.serial}-${Math.random()}.resp`, Buffer.from(await res.arrayBuffer()));
  const out = opensslResult(['ocsp', '-respin', resp, '-issuer', issuing, '-cert', leaf, '-CAfile', bundle, '-resp_text']).out;
  expect(out).toContain('Response verify OK');
  const status = /: (good|revoked|unknown)/.exec(out)?.[1] ?? 'none';
  const reason = /Reason: (\w+)/.exec(out)?.[1];
  return reason ? `${status}:${reason}` : status;
}

const count = async (sql: string, params: unknown[]) => (await p.db.query(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0].n as number;

describe('inventory', () => {
  it('imports a delivery and lists it by batch, state, office region and unit', async () => {
    const batch = `LOT-${run}-A`;
    const gx = Array.from({ length: 3 }, newSerial);
    const sd = Array.from({ length: 2 }, newSerial);
    const a = await importKeys(gx, { batch, officeRegionCode: '450000' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toEqual({ batch, imported: 3 });
    expect((await importKeys(sd, { batch, officeRegionCode: '370000' })).status).toBe(201);

    const list = async (q: string) => (await api(p.baseUrl, 'GET', `/api/v1/ukeys?${q}`)).body;
    expect((await list(`batch=${batch}`)).total).toBe(5);
    expect((await list(`batch=${batch}&regionCode=450000`)).items.map((k: UkeyView) => k.serial).sort()).toEqual(gx.sort());
    expect((await list(`batch=${batch}&regionCode=370000`)).total).toBe(2);
    expect((await list(`batch=${batch}&state=in_stock`)).total).toBe(5);
    expect((await list(`batch=${batch}&state=assigned`)).total).toBe(0);
    expect((await list(`batch=${batch}&pageSize=2&page=3`)).items).toHaveLength(1);

    const one = await getKey(gx[0]!);
    expect(one).toMatchObject({ serial: gx[0], vendor: '飞天诚信', model: 'ePass3003', batch, deliveredOn: today(), state: 'in_stock', officeRegionCode: '450000', certificateSerials: [], soPinGeneration: 0, version: 1 });
    expect(one.history).toEqual([expect.objectContaining({ from: null, to: 'in_stock', action: 'import', by: expect.objectContaining({ via: 'gateway' }) })]);

    // By unit: once a certificate of the unit is on one.
    const unit = unitOf();
    await issueOnto(gx[1]!, randomUUID(), unit);
    expect((await list(`uscc=${unit.uscc}`)).items.map((k: UkeyView) => k.serial)).toEqual([gx[1]]);
  });

  it('refuses bad input with the field named and imports nothing', async () => {
    const s = newSerial();
    const cases: [Record<string, unknown>, string][] = [
      [{ items: [{ serial: 'a b', vendor: 'v', model: 'm' }] }, 'items.0.serial'],
      [{ items: [{ serial: s, vendor: '', model: 'm' }] }, 'items.0.vendor'],
      [{ deliveredOn: '2999-01-01', items: [{ serial: s, vendor: 'v', model: 'm' }] }, 'deliveredOn'],
      [{ deliveredOn: '2026-02-30', items: [{ serial: s, vendor: 'v', model: 'm' }] }, 'deliveredOn'],
      [{ officeRegionCode: '999999', items: [{ serial: s, vendor: 'v', model: 'm' }] }, 'officeRegionCode'],
      [{ items: [] }, 'items'],
    ];
    for (const [body, field] of cases) {
      const r = await api(p.baseUrl, 'POST', '/api/v1/ukeys/import', { batch: 'LOT-X', deliveredOn: today(), ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.field).toBe(field);
    }
    expect(await count('cert.ukey WHERE serial = $1', [s])).toBe(0);
    const unknown = await api(p.baseUrl, 'GET', '/api/v1/ukeys/UK-NOT-THERE');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ukey_not_found');
  });

  it('refuses a duplicate import with a 409 naming items[i].serial, importing nothing', async () => {
    const [x, y, z, w] = [newSerial(), newSerial(), newSerial(), newSerial()];
    const twice = await importKeys([x, y, x]);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'ukey_exists', field: 'items[2].serial', serial: x });
    expect(await count('cert.ukey WHERE serial = ANY($1)', [[x, y]])).toBe(0);

    expect((await importKeys([z])).status).toBe(201);
    const again = await importKeys([w, z]);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ukey_exists', field: 'items[1].serial', serial: z });
    expect(await count('cert.ukey WHERE serial = $1', [w])).toBe(0);
    expect(await count('cert.ukey_history WHERE serial = $1', [z])).toBe(1);
    expect(await count("cert.outbox WHERE aggregate_id = $1 AND type = 'ukey.imported'", [w])).toBe(0);
  });
});

describe('lifecycle', () => {
  it('goes from stock to use via REST, with the certificate on the key showing its serial, audited and evented at each step', async () => {
    const [serial] = await imported();
    const applicationId = randomUUID();
    const assigned = await transition(serial!, { action: 'assign', applicationId });
    expect(assigned).toMatchObject({ state: 'assigned', applicationId, version: 2 });

    const unit = unitOf();
    const cert = await issueOnto(serial!, applicationId, unit);
    expect(cert.ukeySerial).toBe(serial);
    expect((await certificate(cert.serial)).ukeySerial).toBe(serial);
    const initialised = await getKey(serial!);
    expect(initialised).toMatchObject({ state: 'initialised', certificateSerials: [cert.serial], unit: { uscc: unit.uscc, accountNo: unit.accountNo, regionCode: '450102' } });
    const { rows: issuedEvents } = await p.db.query("SELECT payload FROM cert.outbox WHERE aggregate_id = $1 AND type = 'certificate.issued'", [cert.serial]);
    expect(issuedEvents[0].payload.data.ukeySerial).toBe(serial);

    const batch = await dispatchBatch([serial!]);
    expect(batch).toMatchObject({ officeRegionCode: '450100', serials: [serial] });
    expect(await getKey(serial!)).toMatchObject({ state: 'dispatched', officeRegionCode: '450100', dispatchBatchId: batch.id });
    const office = await staff('city_reviewer', '450100');
    const received = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`, undefined, office);
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    expect(received.body.receivedAt).toBeDefined();
    expect((await getKey(serial!, office)).state).toBe('at_office');

    const collected = await workflow<UkeyView>(Subjects.cert.ukeyCollect, { serial, applicationId, collector: { name: '李经办', idNumberMasked: '450102********1234' } });
    expect(collected).toMatchObject({ state: 'collected', collector: { name: '李经办', idNumberMasked: '450102********1234' } });
    await transition(serial!, { action: 'activate' });

    // Renewal keeps the key: the new key pair is generated on the same UKey.
    const renewed = await api<CertificateView>(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/renew`, { csr: opensslCsr(dir, 'p256').csr });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(201);
    expect(renewed.body.ukeySerial).toBe(serial);

    const final = await getKey(serial!);
    expect(final).toMatchObject({ state: 'in_use', certificateSerials: [cert.serial, renewed.body.serial], version: 7 });
    expect(final.history!.map((h) => `${h.action}:${h.from ?? '-'}>${h.to}`)).toEqual([
      'import:->in_stock',
      'assign:in_stock>assigned',
      'initialise:assigned>initialised',
      'dispatch:initialised>dispatched',
      'receive:dispatched>at_office',
      'collect:at_office>collected',
      'activate:collected>in_use',
    ]);
    expect(final.history![4]!.by.staffId).toBeTruthy();
    expect(final.history![5]!.by.via).toBe('workflow-service');
    const { rows } = await p.db.query("SELECT type, payload FROM cert.outbox WHERE aggregate_id = $1 AND type LIKE 'ukey.%' ORDER BY seq", [serial]);
    expect(rows.map((r) => r.type)).toEqual(['ukey.imported', ...Array(6).fill('ukey.transitioned')]);
    expect(rows.map((r) => r.payload.data.version).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows.find((r) => r.payload.data.action === 'collect').payload.data).toMatchObject({ from: 'at_office', to: 'collected', applicationId, certificateSerials: [cert.serial] });
  });

  it('assigns a UKey in stock when a certificate is issued onto it, and refuses a key of another application or unit', async () => {
    const [serial] = await imported();
    const applicationId = randomUUID();
    const unit = unitOf();
    await issueOnto(serial!, applicationId, unit);
    const key = await getKey(serial!);
    expect(key).toMatchObject({ state: 'initialised', applicationId });
    expect(key.history!.map((h) => h.action)).toEqual(['import', 'assign', 'initialise']);

    const other = await refusal(issueOnto(serial!, randomUUID(), unit));
    expect(other).toMatchObject({ status: 409, code: 'ukey_application_mismatch', field: 'applicationId' });
    const otherUnit = await refusal(issueOnto(serial!, applicationId, unitOf()));
    expect([otherUnit.status, otherUnit.code]).toEqual([409, 'ukey_unit_mismatch']);
    const missing = await refusal(issueOnto('UK-NOBODY-1', applicationId, unit));
    expect(missing).toMatchObject({ status: 404, code: 'ukey_not_found', field: 'ukeySerial' });
    const noApp = await refusal(workflow(Subjects.cert.issue, { profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit, ukeySerial: serial }));
    expect([noApp.status, noApp.field]).toEqual([400, 'applicationId']);
    // Not through REST nor as the gateway: onto a UKey only as a step of an application.
    const rest = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit, ukeySerial: serial, applicationId });
    expect([rest.status, rest.body.field]).toEqual([400, 'ukeySerial']);
    const gateway = await refusal(asGateway(Subjects.cert.issue, { profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit, ukeySerial: serial, applicationId }));
    expect([gateway.status, gateway.field]).toEqual([403, 'ukeySerial']);
    expect(await count('cert.certificate WHERE uscc = $1', [unit.uscc])).toBe(1);
    expect((await getKey(serial!)).certificateSerials).toHaveLength(1);
  });

  it('freezes every certificate on a UKey reported lost, unfreezes them when found, and revokes them (keyCompromise) when lost for good', async () => {
    const { serial, certs } = await keyInUse(2);
    const serials = certs.map((c) => c.serial).sort();
    for (const c of certs) expect(await ocspStatus(c)).toBe('good');

    const lost = await transition(serial, { action: 'report_lost', reason: '办事途中遗失' });
    expect(lost.state).toBe('suspended');
    for (const c of certs) expect((await certificate(c.serial)).status).toBe('frozen');
    const lostStep = (await getKey(serial)).history!.at(-1)!;
    expect(lostStep).toMatchObject({ action: 'report_lost', reason: '办事途中遗失' });
    expect([...(lostStep.detail!.frozen as string[])].sort()).toEqual(serials);
    for (const c of certs) expect(await count("cert.outbox WHERE aggregate_id = $1 AND type = 'certificate.frozen'", [c.serial])).toBe(1);
    // OCSP answers the hold at once: the cached "good" answers were dropped in the same step.
    for (const c of certs) expect(await ocspStatus(c)).toBe('revoked:certificateHold');

    const found = await transition(serial, { action: 'found' });
    expect(found.state).toBe('in_use');
    for (const c of certs) expect((await certificate(c.serial)).status).toBe('active');
    expect(await ocspStatus(certs[1]!)).toBe('good');

    await transition(serial, { action: 'report_lost' });
    const gone = await transition(serial, { action: 'declare_perm_lost' });
    expect(gone.state).toBe('perm_lost');
    for (const c of certs) expect(await certificate(c.serial)).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    expect(await ocspStatus(certs[0]!)).toBe('revoked:keyCompromise');
    await transition(serial, { action: 'terminate' });
    expect((await getKey(serial)).state).toBe('terminated');
  });

  it('unfreezes, when found, only what the loss report froze', async () => {
    const { serial, certs } = await keyInUse(2);
    const frozenAlone = await api(p.baseUrl, 'POST', `/api/v1/certificates/${certs[0]!.serial}/freeze`, { comment: 'frozen on its own' });
    expect(frozenAlone.status).toBe(200);
    await transition(serial, { action: 'report_lost' });
    await transition(serial, { action: 'found' });
    expect((await certificate(certs[0]!.serial)).status).toBe('frozen');
    expect((await certificate(certs[1]!.serial)).status).toBe('active');
  });

  it('leaves frozen, when found, a certificate unfrozen and frozen again since the loss report (a court order, say)', async () => {
    const { serial, certs } = await keyInUse(1);
    await transition(serial, { action: 'report_lost' });
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${certs[0]!.serial}/unfreeze`, { comment: 'checked' })).status).toBe(200);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${certs[0]!.serial}/freeze`, { comment: 'court order' })).status).toBe(200);
    await transition(serial, { action: 'found' });
    expect((await certificate(certs[0]!.serial)).status).toBe('frozen');
  });

  it('gives one application the production SO PIN of one UKey, and a released key never goes back to stock', async () => {
    const [first, second] = await imported(2);
    const applicationId = randomUUID();
    await workflow(Subjects.cert.ukeyProductionSoPin, { applicationId, serial: first });
    const another = await refusal(workflow(Subjects.cert.ukeyProductionSoPin, { applicationId, serial: second }));
    expect([another.status, another.code]).toEqual([409, 'ukey_application_mismatch']);
    const back = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${first}/transitions`, { action: 'unassign' });
    expect([back.status, back.body.code]).toEqual([409, 'so_pin_already_released']);
    expect((await getKey(second!)).state).toBe('in_stock');
  });

  it('refuses a transition from the wrong state with a 409 naming from, to and allowed, and changes nothing', async () => {
    const [serial] = await imported();
    const r = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${serial}/transitions`, { action: 'activate' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'illegal_state_transition', from: 'in_stock', to: 'in_use', allowed: ['collected'] });
    const lost = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${serial}/transitions`, { action: 'report_lost' });
    expect(lost.body).toMatchObject({ code: 'illegal_state_transition', from: 'in_stock', allowed: ['collected', 'in_use'] });
    const key = await getKey(serial!);
    expect(key).toMatchObject({ state: 'in_stock', version: 1 });
    expect(key.history).toHaveLength(1);
    expect(await count("cert.outbox WHERE aggregate_id = $1 AND type = 'ukey.transitioned'", [serial])).toBe(0);

    const bad: [Record<string, unknown>, string][] = [
      [{ action: 'assign' }, 'applicationId'],
      [{ action: 'assign', applicationId: 'not-a-uuid' }, 'applicationId'],
      [{ action: 'fly' }, 'action'],
      [{ action: 'collect' }, 'action'],
      [{ action: 'dispatch' }, 'action'],
      [{ action: 'initialise' }, 'action'],
      [{ action: 'report_damaged' }, 'nonHumanCause'],
      [{ action: 'assign', applicationId: randomUUID(), soPin: '1' }, 'soPin'],
    ];
    for (const [body, field] of bad) {
      const b = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${serial}/transitions`, body);
      expect(b.status, JSON.stringify(body)).toBe(400);
      expect(b.body.field, JSON.stringify(body)).toBe(field);
    }
    expect((await getKey(serial!)).version).toBe(1);
    const unknown = await api(p.baseUrl, 'POST', '/api/v1/ukeys/UK-NOBODY-2/transitions', { action: 'activate' });
    expect(unknown.status).toBe(404);
  });

  it('carries out a transition once per idempotency key', async () => {
    const [serial] = await imported();
    const cmd = { serial, action: 'assign', applicationId: randomUUID(), idempotencyKey: `app:${randomUUID()}:assign` };
    const first = await workflow<UkeyView>(Subjects.cert.ukeyTransition, cmd);
    const retry = await workflow<UkeyView>(Subjects.cert.ukeyTransition, cmd);
    expect(retry).toEqual(first);
    expect(await count('cert.ukey_history WHERE serial = $1', [serial])).toBe(2);
    expect((await refusal(workflow(Subjects.cert.ukeyTransition, { ...cmd, action: 'unassign' }))).code).toBe('idempotency_key_reused');
  });
});

describe('dispatch to the city offices', () => {
  it('sends initialised keys in a batch, all or nothing, and only the office of that city signs for them', async () => {
    const [a, b, stock] = await imported(3);
    const unit = unitOf();
    await issueOnto(a!, randomUUID(), unit);
    await issueOnto(b!, randomUUID(), unitOf());

    const mixed = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: '450100', serials: [a, stock] });
    expect(mixed.status).toBe(409);
    expect(mixed.body).toMatchObject({ code: 'illegal_state_transition', field: 'serials[1]', from: 'in_stock', allowed: ['initialised'] });
    expect((await getKey(a!)).state).toBe('initialised');
    const province = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: '450000', serials: [a] });
    expect(province.status).toBe(400);
    expect(province.body.field).toBe('officeRegionCode');
    const wrongCity = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: '450200', serials: [a] });
    expect(wrongCity.status).toBe(422);
    expect(wrongCity.body).toMatchObject({ code: 'ukey_office_mismatch', field: 'serials[0]' });
    const unknown = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: '450100', serials: [a, 'UK-NOBODY-3'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe('serials[1]');

    const batch = await dispatchBatch([a!, b!]);
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys/dispatch-batches/${batch.id}`)).body).toMatchObject({ id: batch.id, officeRegionCode: '450100', serials: [a, b] });
    expect((await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: '450100', serials: [a] })).status).toBe(409);

    // Liuzhou's office cannot sign for Nanning's parcel, nor can a client system.
    const liuzhou = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`, undefined, await staff('city_reviewer', '450200'));
    expect(liuzhou.status, JSON.stringify(liuzhou.body)).toBe(403);
    const client = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`);
    expect(client.status, JSON.stringify(client.body)).toBe(403);
    expect((await getKey(a!)).state).toBe('dispatched');
    const nanning = await staff('city_reviewer', '450100');
    const received = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`, undefined, nanning);
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    for (const s of [a!, b!]) expect((await getKey(s)).state).toBe('at_office');
    const twice = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`, undefined, nanning);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('dispatch_batch_already_received');

    // The office sees its keys; another city's office sees neither them nor their batch.
    const listed = (await api(p.baseUrl, 'GET', `/api/v1/ukeys?uscc=${unit.uscc}`, undefined, nanning)).body;
    expect(listed.items.map((k: UkeyView) => k.serial)).toEqual([a]);
    const liuzhouStaff = await staff('city_reviewer', '450200');
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys?uscc=${unit.uscc}`, undefined, liuzhouStaff)).body.total).toBe(0);
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys/${a}`, undefined, liuzhouStaff)).status).toBe(403);
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys/dispatch-batches/${batch.id}`, undefined, liuzhouStaff)).status).toBe(403);
    // A city office records a damaged key handed back (ukeys:return), but does not manage keys: no
    // termination, no loss report or found — those change certificates (certificates:manage).
    for (const action of ['terminate', 'report_lost', 'found', 'declare_perm_lost', 'activate']) {
      const r = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${a}/transitions`, { action }, nanning);
      expect([r.status, r.body.field], JSON.stringify(r.body)).toEqual([403, 'action']);
    }
    const notYet = await api(p.baseUrl, 'POST', `/api/v1/ukeys/${a}/transitions`, { action: 'return' }, nanning);
    expect([notYet.status, notYet.body.code]).toEqual([409, 'illegal_state_transition']);
    expect((await api(p.baseUrl, 'POST', `/api/v1/ukeys/${a}/transitions`, { action: 'return' }, liuzhouStaff)).status).toBe(403);
  });
});

describe('collection and warranty', () => {
  it('records the collector and a warranty of one year from today; a collection for another application is refused', async () => {
    const [serial] = await imported();
    const applicationId = randomUUID();
    await issueOnto(serial!, applicationId);
    const batch = await dispatchBatch([serial!]);
    expect((await refusal(workflow(Subjects.cert.ukeyCollect, { serial, applicationId, collector: collector() }))).code).toBe('illegal_state_transition');
    await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.id}/receipt`, undefined, await staff('city_reviewer', '450100'));
    expect((await refusal(workflow(Subjects.cert.ukeyCollect, { serial, applicationId: randomUUID(), collector: collector() }))).code).toBe('ukey_application_mismatch');
    expect((await refusal(workflow(Subjects.cert.ukeyCollect, { serial, applicationId, collector: { name: '李经办', idNumberMasked: '450102198503121234' } }))).field).toBe('collector.idNumberMasked');
    const before = new Date();
    const collected = await workflow<UkeyView>(Subjects.cert.ukeyCollect, { serial, applicationId, collector: collector() });
    expect(collected.state).toBe('collected');
    expect(new Date(collected.collectedAt!).getTime()).toBeGreaterThanOrEqual(before.getTime() - 5000);
    expect(collected.warrantyUntil).toBe(ukeyWarrantyUntil(new Date(collected.collectedAt!)));
    const [y, m, d] = today().split('-');
    expect(collected.warrantyUntil).toBe(m === '02' && d === '29' ? `${Number(y) + 1}-02-28` : `${Number(y) + 1}-${m}-${d}`);
  });

  it('records a damage report with the reviewer’s finding and whether it is inside the warranty, on both sides of the anniversary', async () => {
    const inside = await keyInUse();
    // The anniversary is today: still covered.
    await p.db.query('UPDATE cert.ukey SET warranty_until = $2 WHERE serial = $1', [inside.serial, today()]);
    const damaged = await transition(inside.serial, { action: 'report_damaged', nonHumanCause: true, reason: '芯片无响应' });
    expect(damaged).toMatchObject({ state: 'damaged', damage: { nonHumanCause: true, withinWarranty: true, reason: '芯片无响应' } });
    expect((await certificate(inside.certs[0]!.serial)).status).toBe('active');
    await transition(inside.serial, { action: 'return' });
    await transition(inside.serial, { action: 'terminate' });
    expect(await certificate(inside.certs[0]!.serial)).toMatchObject({ status: 'revoked', revocationReason: 'superseded' });

    const outside = await keyInUse();
    const yesterday = chinaDate(new Date(Date.now() - 86_400_000));
    await p.db.query('UPDATE cert.ukey SET warranty_until = $2 WHERE serial = $1', [outside.serial, yesterday]);
    const late = await transition(outside.serial, { action: 'report_damaged', nonHumanCause: true });
    expect(late.damage).toMatchObject({ nonHumanCause: true, withinWarranty: false });
    expect((await getKey(outside.serial)).history!.at(-1)!.detail).toMatchObject({ nonHumanCause: true, withinWarranty: false });
  });
});

describe('SO PINs', () => {
  const key = () => p.config.ECERT_UKEY_SO_PIN_KEY;

  it('are refused to the gateway, whatever it holds: only the workflow-service asks for them or for a collection', async () => {
    const [serial] = await imported();
    for (const subject of [Subjects.cert.ukeyProductionSoPin, Subjects.cert.ukeyUnlockAuthorisation, Subjects.cert.ukeyUnlockConfirm, Subjects.cert.ukeyCollect]) {
      const e = await refusal(asGateway(subject, { serial, applicationId: randomUUID(), collector: collector() }));
      expect(e, subject).toMatchObject({ status: 403, code: 'bus_caller_forbidden' });
    }
    expect(await count('cert.ukey_so_pin_release WHERE serial = $1', [serial])).toBe(0);
    expect((await getKey(serial!)).state).toBe('in_stock');
  });

  it('releases the production SO PIN for one application, assigning a key in stock; again only until it is initialised', async () => {
    const [serial] = await imported();
    const applicationId = randomUUID();
    const released = await workflow<ProductionSoPinView>(Subjects.cert.ukeyProductionSoPin, { applicationId, serial });
    expect(released.soPin).toMatch(/^\d{16}$/);
    expect(released.soPin).toBe(deriveUkeySoPin(key(), serial!, 0));
    expect(new Date(released.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(await getKey(serial!)).toMatchObject({ state: 'assigned', applicationId, soPinGeneration: 0 });

    // A station that stopped before initialising asks again: the same release, no second record.
    expect(await workflow<ProductionSoPinView>(Subjects.cert.ukeyProductionSoPin, { applicationId, serial })).toEqual(released);
    expect((await refusal(workflow(Subjects.cert.ukeyProductionSoPin, { applicationId: randomUUID(), serial }))).code).toBe('ukey_application_mismatch');
    const { rows } = await p.db.query('SELECT * FROM cert.ukey_so_pin_release WHERE serial = $1', [serial]);
    expect(rows).toEqual([expect.objectContaining({ application_id: applicationId, purpose: 'production', generation: 0, released_to: 'workflow-service' })]);
    // The PIN is nowhere in the database: not in the release, the history or the events.
    const everything = JSON.stringify([rows, (await p.db.query('SELECT * FROM cert.ukey_history WHERE serial = $1', [serial])).rows, (await p.db.query('SELECT payload FROM cert.outbox WHERE aggregate_id = $1', [serial])).rows]);
    expect(everything).not.toContain(released.soPin);
    // The certificate then goes onto it for that application.
    await issueOnto(serial!, applicationId);
    expect((await refusal(workflow(Subjects.cert.ukeyProductionSoPin, { applicationId: randomUUID(), serial }))).code).toBe('ukey_state_conflict');
    expect((await refusal(workflow(Subjects.cert.ukeyProductionSoPin, { applicationId, serial }))).code).toBe('ukey_state_conflict');
  });

  it('authorises an unlock once per application with the next generation, and the confirmation makes the released PIN worthless', async () => {
    const { serial } = await keyInUse();
    const unlockApp = randomUUID();
    const auth = await workflow<UnlockAuthorisationView>(Subjects.cert.ukeyUnlockAuthorisation, { applicationId: unlockApp, serial });
    expect(auth).toMatchObject({ serial, applicationId: unlockApp, soPin: deriveUkeySoPin(key(), serial, 0), nextSoPin: deriveUkeySoPin(key(), serial, 1) });
    const ttl = new Date(auth.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000 + 5000);
    const again = await refusal(workflow(Subjects.cert.ukeyUnlockAuthorisation, { applicationId: unlockApp, serial }));
    expect(again).toMatchObject({ status: 409, code: 'unlock_already_authorised' });

    const confirmed = await workflow<UkeyView>(Subjects.cert.ukeyUnlockConfirm, { applicationId: unlockApp, serial });
    expect(confirmed.soPinGeneration).toBe(1);
    expect((await workflow<UkeyView>(Subjects.cert.ukeyUnlockConfirm, { applicationId: unlockApp, serial })).soPinGeneration).toBe(1);
    const next = await workflow<UnlockAuthorisationView>(Subjects.cert.ukeyUnlockAuthorisation, { applicationId: randomUUID(), serial });
    expect(next.soPin).toBe(auth.nextSoPin);
    expect(next.nextSoPin).toBe(deriveUkeySoPin(key(), serial, 2));
    expect(next.soPin).not.toBe(auth.soPin);

    expect((await refusal(workflow(Subjects.cert.ukeyUnlockConfirm, { applicationId: randomUUID(), serial }))).code).toBe('unlock_authorisation_not_found');
    const [stock] = await imported();
    expect((await refusal(workflow(Subjects.cert.ukeyUnlockAuthorisation, { applicationId: randomUUID(), serial: stock }))).code).toBe('ukey_state_conflict');
    expect((await refusal(workflow(Subjects.cert.ukeyUnlockAuthorisation, { applicationId: 'nope', serial }))).field).toBe('applicationId');
    const { rows } = await p.db.query("SELECT type, payload FROM cert.outbox WHERE aggregate_id = $1 AND type LIKE 'ukey.so_pin_%' ORDER BY seq", [serial]);
    expect(rows.map((r) => r.type)).toEqual(['ukey.so_pin_released', 'ukey.so_pin_rotated', 'ukey.so_pin_released']);
    expect(JSON.stringify(rows)).not.toContain(auth.soPin);
    expect(JSON.stringify(rows)).not.toContain(auth.nextSoPin);
  });
});
