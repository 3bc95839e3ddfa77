import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePem, UkeyToken } from '@ecert/pki';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api } from '../support/http';
import { samplePdf, upload } from '../support/materials';
import { onPath, requireTool } from '../support/optional-tool';
import { scanJpeg } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { produceUkey, UKEY_KEY_LABEL, ukeySealLabel } from '../../scripts/ukey-produce';
import { unlockUkey } from '../../scripts/ukey-unlock';

/**
 * The UKey station through the real platform (issue 10 §2, §3): a CA operator's station produces a
 * fresh SoftHSM2 token for an approved application; with the token alone someone logs in and reads
 * the certificate and seal back; an approved unlock application resets its PIN with the one-time
 * SO PIN authorisation.
 */
const LIBRARY = process.env.ECERT_SOFTHSM2_LIB ?? '/usr/lib/softhsm/libsofthsm2.so';
const HAVE_SOFTHSM = requireTool({
  name: `SoftHSM2 (${LIBRARY} and softhsm2-util)`,
  present: existsSync(LIBRARY) && onPath('softhsm2-util'),
  apt: 'softhsm2',
  tests: 'UKey station e2e tests',
});

const REGION = '370481';
const ROUTE = [
  { role: 'county_acceptor', region: '370481' },
  { role: 'city_reviewer', region: '370400' },
  { role: 'province_approver', region: '370000' },
];
const USER_PIN = '246813';
const NEW_PIN = '975310';

type Headers = Record<string, string>;

describe.skipIf(!HAVE_SOFTHSM)('the UKey station through the platform', () => {
  let p: TestPlatform;
  const dir = new TempDir();
  const staffCache = new Map<string, Headers & { token: string }>();
  const previousConf = process.env.SOFTHSM2_CONF;
  const ukeySerial = `SD-UK-${randomBytes(4).toString('hex').toUpperCase()}`;
  let produced: Awaited<ReturnType<typeof produceUkey>>;
  let unit: { name: string; uscc: string; accountNo: string };
  let handler: { name: string; idNumber: string; phone: string; email: string };

  beforeAll(async () => {
    // A private token directory before anything initialises the module in this process.
    mkdirSync(path.join(dir.path, 'tokens'));
    writeFileSync(path.join(dir.path, 'softhsm2.conf'), `directories.tokendir = ${path.join(dir.path, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = path.join(dir.path, 'softhsm2.conf');
    p = await startTestPlatform({ env: { WORKFLOW_STEP_POLL_MS: '100', WORKFLOW_STEP_BACKOFF_MS: '100' } });
  }, 180_000);

  afterAll(async () => {
    await p?.close();
    dir.remove();
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
  });

  function signChallenge(keyPath: string, challenge: string): string {
    const data = dir.file(`challenge-${Math.random()}.bin`, Buffer.from(challenge, 'base64'));
    const sig = dir.file(`challenge-${Math.random()}.sig`);
    opensslResult(['dgst', '-sha256', '-sign', keyPath, '-out', sig, data]);
    return readFileSync(sig).toString('base64');
  }

  /** A staff member with a personal certificate on a soft token, logged in by it. */
  async function staffOf(role: string, regionCode: string): Promise<Headers & { token: string }> {
    const cached = staffCache.get(`${role}@${regionCode}`);
    if (cached) return cached;
    const k = opensslCsr(dir, 'p256');
    const region = regionCode === '000000' ? '370100' : regionCode;
    const cert = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr: k.csr, unit: { name: '人社局', uscc: makeUscc(region), regionCode: region, accountNo: 'STAFF' }, person: { name: role, idNumber: makeResidentId() } });
    expect(cert.status, JSON.stringify(cert.body)).toBe(201);
    const s = await api(p.baseUrl, 'POST', '/api/v1/staff', { name: role, role, regionCode, certificateSerials: [cert.body.serial] });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' });
    const login = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.body.certificatePem, signature: signChallenge(k.keyPath, ch.body.challenge) }, { 'x-api-key': '' });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const headers = { authorization: `Bearer ${login.body.token}`, 'x-api-key': '', token: login.body.token as string };
    staffCache.set(`${role}@${regionCode}`, headers);
    return headers;
  }

  const asHeaders = ({ token: _t, ...h }: Headers & { token: string }): Headers => h;

  async function businessSystem(): Promise<Headers> {
    const r = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'HRSS business system', department: '社保经办', operations: ['applications:submit', 'applications:read'], regionCodes: [REGION] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { 'x-api-key': r.body.apiKey };
  }

  /** Files, completes and submits an application; returns its id. */
  async function submitted(body: Record<string, unknown>): Promise<string> {
    const system = await businessSystem();
    const created = await api(p.baseUrl, 'POST', '/api/v1/applications', body, system);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    for (const kind of created.body.checklist.missing as string[]) {
      const r = kind === 'seal_impression_form' ? await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=${kind}`, scanJpeg().jpeg, 'image/jpeg', system) : await upload(p.baseUrl, `/api/v1/applications/${id}/materials?kind=${kind}`, samplePdf(kind), 'application/pdf', system);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const r = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/submit`, {}, system);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return id;
  }

  async function approve(id: string, route: typeof ROUTE): Promise<void> {
    for (const t of route) {
      const d = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/decisions`, { decision: 'approve' }, asHeaders(await staffOf(t.role, t.region)));
      expect(d.status, JSON.stringify(d.body)).toBe(200);
    }
    expect(await application(id)).toMatchObject({ status: 'awaiting_production' });
  }

  /** Read as a national administrator (a client system sees only what it filed). */
  async function application(id: string) {
    const r = await api(p.baseUrl, 'GET', `/api/v1/applications/${id}`, undefined, asHeaders(await staffOf('admin', '000000')));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  it('produces a fresh token for an approved application: key on the token, certificate, chain and seal written', async () => {
    unit = { name: '滕州市某机械制造有限公司', uscc: makeUscc(REGION), accountNo: `SI${Math.floor(Math.random() * 1e8)}` };
    handler = { name: '李经办', idNumber: makeResidentId(REGION), phone: '13912345678', email: 'jingban@example.cn' };
    const id = await submitted({ type: 'apply', unit: { ...unit, address: '滕州市学院中路1066号', postalCode: '277500', regionCode: REGION }, handler, seals: [{ kind: 'official', name: unit.name }] });
    await approve(id, ROUTE);
    const imported = await api(p.baseUrl, 'POST', '/api/v1/ukeys/import', { batch: `B-${ukeySerial}`, deliveredOn: '2026-11-20', items: [{ serial: ukeySerial, vendor: 'SoftHSM', model: 'softhsm2' }] });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const operator = await staffOf('ca_operator', '000000');
    produced = await produceUkey({ url: p.baseUrl, token: operator.token, applicationId: id, modulePath: LIBRARY, ukeySerial, userPin: USER_PIN, pollIntervalMs: 150, timeoutMs: 60_000 });
    expect(produced).toMatchObject({ applicationId: id, ukeySerial, keyId: '01', chainCertificates: 2 });
    expect((await api(p.baseUrl, 'GET', `/api/v1/ukeys/${ukeySerial}`)).body).toMatchObject({ state: 'initialised', certificateSerials: [produced.certificateSerial] });
    // To the city office in a dispatch batch, signed for there.
    const batch = await api(p.baseUrl, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: '370400', serials: [ukeySerial] }, asHeaders(await staffOf('province_approver', '370000')));
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const receipt = await api(p.baseUrl, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.body.id}/receipt`, {}, asHeaders(await staffOf('city_reviewer', '370400')));
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
    expect(produced.sealIds).toHaveLength(1);
    await expect.poll(async () => (await application(id)).status, { timeout: 10_000 }).toBe('ready_for_collection');
    expect((await application(id)).results).toMatchObject({ ukeySerial, certificateSerial: produced.certificateSerial, sealIds: produced.sealIds });
    // The SO PIN is released for one application and UKey, and not once it is initialised.
    const again = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/production/so-pin`, { ukeySerial }, asHeaders(operator));
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
  });

  it('with the token alone: certificate login, and the certificate and seal read back from it', async () => {
    expect(produced, 'needs the produced UKey').toBeDefined();
    const token = UkeyToken.open({ libraryPath: LIBRARY, label: ukeySerial });
    try {
      const leaf = token.readCertificates().find((c) => c.label === UKEY_KEY_LABEL)!;
      expect(leaf).toBeDefined();
      const certificatePem = encodePem('CERTIFICATE', leaf.der);
      const onRecord = await api(p.baseUrl, 'GET', `/api/v1/certificates/${produced.certificateSerial}`);
      expect(onRecord.body.certificatePem.trim()).toBe(certificatePem.trim());

      // Login is for staff: bind an account to the UKey's certificate, then sign the challenge on the token.
      const s = await api(p.baseUrl, 'POST', '/api/v1/staff', { name: handler.name, role: 'county_acceptor', regionCode: REGION, certificateSerials: [produced.certificateSerial] });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' });
      token.loginUser(USER_PIN);
      const signature = Buffer.from(token.sign(leaf.id, Buffer.from(ch.body.challenge, 'base64'))).toString('base64');
      token.logout();
      const login = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: certificatePem, signature }, { 'x-api-key': '' });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect(login.body.staff.id).toBe(s.body.id);

      const esl = token.readData(ukeySealLabel(produced.sealIds[0]!));
      expect(esl).toBeDefined();
      const download = await fetch(`${p.baseUrl}/api/v1/seals/${produced.sealIds[0]}.esl`, { headers: { 'x-api-key': p.apiKey! } });
      expect(Buffer.from(esl!).equals(Buffer.from(await download.arrayBuffer()))).toBe(true);
      const verified = await api(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: Buffer.from(esl!).toString('base64') });
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body).toMatchObject({ kind: 'seal', seal: { indication: 'TOTAL_PASSED' } });
    } finally {
      token.close();
    }
  });

  it('unlocks with an approved unlock application: old PIN refused, new accepted, authorisation used once', async () => {
    expect(produced, 'needs the produced UKey').toBeDefined();
    const body = { type: 'unlock', targetSerial: produced.certificateSerial, targetUkeySerial: ukeySerial, unit: { ...unit, address: '滕州市学院中路1066号', postalCode: '277500', regionCode: REGION }, handler, seals: [] };
    const operator = await staffOf('ca_operator', '000000');
    // The handler collected the UKey at the city office and later locked its PIN.
    const collected = await api(p.baseUrl, 'POST', `/api/v1/applications/${produced.applicationId}/collection`, { collector: { name: handler.name, idNumber: handler.idNumber } }, asHeaders(await staffOf('city_reviewer', '370400')));
    expect(collected.status, JSON.stringify(collected.body)).toBe(200);

    // Not yet approved (under review): refused, and the token is untouched.
    const id = await submitted(body);
    await expect(unlockUkey({ url: p.baseUrl, token: operator.token, applicationId: id, modulePath: LIBRARY, ukeySerial, newPin: NEW_PIN })).rejects.toThrow(/unlock-authorisation → 4\d\d/);
    const untouched = UkeyToken.open({ libraryPath: LIBRARY, label: ukeySerial });
    try {
      untouched.loginUser(USER_PIN);
    } finally {
      untouched.close();
    }

    await approve(id, [{ role: 'county_acceptor', region: REGION }]);
    // The SO PIN is never kept for an Idempotency-Key replay.
    const keyed = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/unlock-authorisation`, { ukeySerial }, { ...asHeaders(operator), 'idempotency-key': 'unlock-once-123' });
    expect([keyed.status, keyed.body.field]).toEqual([400, 'Idempotency-Key']);
    // Completing without the token's proof is refused: the SO PIN generation cannot be run ahead of the token.
    const unproven = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/unlock-completion`, { ukeySerial, signature: Buffer.alloc(64, 1).toString('base64') }, asHeaders(operator));
    expect([unproven.status, unproven.body.code]).toEqual([422, 'unlock_not_proven']);
    const result = await unlockUkey({ url: p.baseUrl, token: operator.token, applicationId: id, modulePath: LIBRARY, ukeySerial, newPin: NEW_PIN });
    expect(result).toMatchObject({ applicationId: id, ukeySerial, resumed: false, status: 'completed' });

    const token = UkeyToken.open({ libraryPath: LIBRARY, label: ukeySerial });
    try {
      expect(() => token.loginUser(USER_PIN)).toThrow('wrong PIN');
      token.loginUser(NEW_PIN);
      token.logout();
    } finally {
      token.close();
    }
    // The same authorisation a second time: refused.
    const second = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/unlock-authorisation`, { ukeySerial }, asHeaders(operator));
    expect(second.status).toBeGreaterThanOrEqual(400);
    expect(second.status).toBeLessThan(500);
    expect((await application(id)).status).toBe('completed');
  });
});
