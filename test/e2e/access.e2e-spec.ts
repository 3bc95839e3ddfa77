import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ProblemError, requestContext } from '@ecert/common';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { FreezeCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/freeze-certificate.use-case';
import { auditVerify } from '../../scripts/audit-verify';
import { AnonymousRefusals } from '../../apps/gateway/src/audit/anonymous-refusals.service';
import { adminCreate } from '../../scripts/admin-create';
import { CredentialUseRecorder } from '../../apps/gateway/src/access/credential-use.recorder';
import { GATEWAY_DATA_SOURCE } from '../../apps/gateway/src/gateway.tokens';

let p: TestPlatform;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'], env: { ECERT_TRUSTED_PROXIES: '127.0.0.1', AUTH_CHALLENGE_TTL_SECONDS: '2' } });
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

const asKey = (key: string) => ({ 'x-api-key': key });
const none = { 'x-api-key': '' };

async function registerClient(body: Record<string, unknown>): Promise<{ id: string; apiKey: string; credentialId: string }> {
  const r = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'client', department: 'dept', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.client.id, apiKey: r.body.apiKey, credentialId: r.body.credentialId };
}

async function issueAs(key: string | undefined, regionCode: string, profile: 'unit' | 'personal' = 'unit', kind: 'p256' | 'sm2' | 'rsa2048' = 'p256') {
  const k = opensslCsr(dir, kind);
  const body: Record<string, unknown> = { profile, csr: k.csr, unit: { name: '测试单位', uscc: makeUscc(regionCode), regionCode, accountNo: 'ACC' } };
  if (profile === 'personal') body.person = { name: '王五', idNumber: makeResidentId() };
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', body, key ? asKey(key) : {});
  return { r, keyPath: k.keyPath };
}

/** Signs the login challenge as a UKey would: SM2/SM3 with the standard ID, or ECDSA SHA-256. */
function signChallenge(keyPath: string, challenge: string, kind: 'p256' | 'sm2' | 'rsa2048'): string {
  const data = dir.file(`challenge-${Math.random()}.bin`, Buffer.from(challenge, 'base64'));
  const sig = dir.file(`challenge-${Math.random()}.sig`);
  const extra = kind === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : ['-sha256'];
  opensslResult(['dgst', ...extra, '-sign', keyPath, '-out', sig, data]);
  return readFileSync(sig).toString('base64');
}

async function login(certificatePem: string, keyPath: string, kind: 'p256' | 'sm2' | 'rsa2048') {
  const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
  expect(ch.status).toBe(201);
  const signature = signChallenge(keyPath, ch.body.challenge, kind);
  const res = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: certificatePem, signature }, none);
  return { res, challengeId: ch.body.challengeId, signature };
}

describe('client credentials', () => {
  it('refuses calls without a credential, but health and PKI stay public', async () => {
    const r = await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, none);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('unauthorized');
    // seal and workflow services are not started here, so health may say 503 — but never 401.
    const health = await api(p.baseUrl, 'GET', '/api/v1/health', undefined, none);
    expect(health.status).not.toBe(401);
    expect(health.body.services['cert-service'].status).toBe('up');
    expect((await fetch(`${p.baseUrl}/pki/ca/ecdsa-root.crt`)).status).toBe(200);
    const bad = await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey('ek_AAAAAAAAAAAA.' + 'B'.repeat(43)));
    expect(bad.status).toBe(401);
    // Anonymous refusals: the first per address and minute in full, the rest in the minute's summary.
    await p.gateway!.get(AnonymousRefusals).flush();
    const { rows } = await p.db.query("SELECT details FROM gateway.audit_log WHERE action = 'access.refused' ORDER BY seq");
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.some((r) => r.details.repeated >= 1)).toBe(true);
  });

  it('refuses operations a client was not granted (403) and regions it does not serve', async () => {
    const reader = await registerClient({ operations: ['certificates:read'], regionCodes: ['450100'] });
    const { r } = await issueAs(reader.apiKey, '450100');
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');

    const nanning = await registerClient({ operations: ['certificates:read', 'certificates:issue', 'certificates:manage'], regionCodes: ['450100'] });
    const ok = await issueAs(nanning.apiKey, '450100');
    expect(ok.r.status, JSON.stringify(ok.r.body)).toBe(201);
    const outside = await issueAs(nanning.apiKey, '370400');
    expect(outside.r.status).toBe(403);
    const elsewhere = await issueAs(undefined, '370481');
    expect(elsewhere.r.status).toBe(201);
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${elsewhere.r.body.serial}`, undefined, asKey(nanning.apiKey))).status).toBe(403);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${elsewhere.r.body.serial}/freeze`, {}, asKey(nanning.apiKey))).status).toBe(403);
    const list = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=100', undefined, asKey(nanning.apiKey));
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    for (const c of list.body.items) expect(c.unit.regionCode.startsWith('4501')).toBe(true);
  });

  it('enforces the region scope inside the cert-service too, whatever the caller', async () => {
    const { r } = await issueAs(undefined, '370400');
    const freeze = p.services.cert!.get(FreezeCertificateUseCase);
    const err = await requestContext.run({ requestId: 'scope-test', regions: ['450100'] }, () => freeze.execute({ serial: r.body.serial }).catch((e) => e));
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(403);
    const { rows } = await p.db.query('SELECT status FROM cert.certificate WHERE serial = $1', [r.body.serial]);
    expect(rows[0].status).toBe('active');
  });

  it('refuses a revoked key, a disabled client and an expired key at once', async () => {
    const c = await registerClient({ operations: ['certificates:read'] });
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey(c.apiKey))).status).toBe(200);
    const second = await api(p.baseUrl, 'POST', `/api/v1/clients/${c.id}/keys`, {});
    expect(second.status).toBe(201);
    const rv = await api(p.baseUrl, 'DELETE', `/api/v1/clients/${c.id}/credentials/${c.credentialId}`);
    expect(rv.status).toBe(200);
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey(c.apiKey))).status).toBe(401);
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey(second.body.apiKey))).status).toBe(200);
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/clients/${c.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey(second.body.apiKey))).status).toBe(401);
    const expiring = await registerClient({ operations: ['certificates:read'], keyExpiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey(expiring.apiKey))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const expired = await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, asKey(expiring.apiKey));
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain('expired');
  });

  it("records a credential's last use, to the minute, and never a refused attempt", async () => {
    const c = await registerClient({ operations: ['certificates:read'] });
    const lastUsed = async (credentialId = c.credentialId): Promise<string | null> =>
      (await api(p.baseUrl, 'GET', `/api/v1/clients/${c.id}`)).body.credentials.find((k: { id: string }) => k.id === credentialId).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    // Its id with another secret: refused, and not a use of the credential.
    const wrong = c.apiKey.slice(0, -1) + (c.apiKey.endsWith('A') ? 'B' : 'A');
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, asKey(wrong))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await lastUsed()).toBeNull();
    const before = Date.now();
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, asKey(c.apiKey))).status).toBe(200);
    const first = (await waitFor(lastUsed))!;
    expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(first)).toBeLessThanOrEqual(Date.now() + 1000);
    // Used again within the minute: not written again, neither by this process nor by another one
    // (a second recorder stands for a second gateway process, which has not written it yet).
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, asKey(c.apiKey))).status).toBe(200);
    const otherProcess = new CredentialUseRecorder(p.gateway!.get(GATEWAY_DATA_SOURCE), pino({ level: 'silent' }));
    otherProcess.used(c.credentialId);
    await otherProcess.beforeApplicationShutdown();
    await new Promise((r) => setTimeout(r, 300));
    expect(await lastUsed()).toBe(first);
    // Older than the minute, the next use writes it again.
    await p.db.query(`UPDATE gateway.client_credential SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [c.credentialId]);
    const stale = await lastUsed();
    // (a third recorder: the second remembers its own write of a moment ago and would not try)
    const thirdProcess = new CredentialUseRecorder(p.gateway!.get(GATEWAY_DATA_SOURCE), pino({ level: 'silent' }));
    thirdProcess.used(c.credentialId);
    await thirdProcess.beforeApplicationShutdown();
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(stale!) + 60_000);
    // A valid key of a disabled client authenticates nothing: not a use.
    const disabled = await registerClient({ operations: ['certificates:read'] });
    expect((await api(p.baseUrl, 'PATCH', `/api/v1/clients/${disabled.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, asKey(disabled.apiKey))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    const { rows } = await p.db.query('SELECT last_used_at FROM gateway.client_credential WHERE id = $1', [disabled.credentialId]);
    expect(rows[0].last_used_at).toBeNull();
  });

  it('accepts a registered client certificate forwarded by the trusted TLS proxy', async () => {
    const c = await registerClient({ operations: ['certificates:read'] });
    const { r } = await issueAs(undefined, '450100');
    const bind = await api(p.baseUrl, 'POST', `/api/v1/clients/${c.id}/certificates`, { certificate: r.body.certificatePem });
    expect(bind.status, JSON.stringify(bind.body)).toBe(201);
    expect(bind.body.credentials.some((k: { kind: string }) => k.kind === 'certificate')).toBe(true);
    const viaProxy = { 'x-api-key': '', 'x-client-cert': encodeURIComponent(r.body.certificatePem) };
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, viaProxy)).status).toBe(200);
    const bound = bind.body.credentials.find((k: { kind: string }) => k.kind === 'certificate');
    await waitFor(async () => (await api(p.baseUrl, 'GET', `/api/v1/clients/${c.id}`)).body.credentials.find((k: { id: string }) => k.id === bound.id).lastUsedAt);
    const { r: other } = await issueAs(undefined, '450100');
    const unknown = await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, { 'x-api-key': '', 'x-client-cert': encodeURIComponent(other.body.certificatePem) });
    expect(unknown.status).toBe(401);
    // Freezing the certificate in the CA stops the credential at once.
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${r.body.serial}/freeze`, {})).status).toBe(200);
    const frozen = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, viaProxy);
    expect(frozen.status).toBe(401);
    expect(frozen.body.detail).toContain('frozen');
  });

  it('limits the request rate per client with 429 and Retry-After', async () => {
    const c = await registerClient({ operations: ['certificates:read'], rateLimitPerSecond: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, () => api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, asKey(c.apiKey))));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers.get('retry-after')).toBe('1');
    expect(limited[0].body.code).toBe('rate_limited');
  });

  it('rejects bad registration input naming the field', async () => {
    const r = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'x', department: 'y', operations: ['launch:missiles'] });
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('operations');
    const r2 = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'x', department: 'y', operations: ['admin'], regionCodes: ['459999'] });
    expect(r2.status).toBe(400);
    expect(r2.body.field).toBe('regionCodes[0]');
  });
});

describe('staff certificate login', () => {
  async function staffWithCertificate(role: string, regionCode: string, kind: 'p256' | 'sm2' | 'rsa2048') {
    const { r, keyPath } = await issueAs(undefined, regionCode, 'personal', kind);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const s = await api(p.baseUrl, 'POST', '/api/v1/staff', { name: '审核员', role, regionCode, certificateSerials: [r.body.serial] });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    return { cert: r.body, keyPath, staff: s.body };
  }

  it.each(['p256', 'sm2', 'rsa2048'] as const)('logs in with a %s soft token and acts within role and region', async (kind) => {
    const { cert, keyPath, staff } = await staffWithCertificate('city_reviewer', '450100', kind);
    const { res, challengeId, signature } = await login(cert.certificatePem, keyPath, kind);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.staff.role).toBe('city_reviewer');
    const bearer = { authorization: `Bearer ${res.body.token}`, 'x-api-key': '' };
    const list = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=100', undefined, bearer);
    expect(list.status).toBe(200);
    for (const c of list.body.items) expect(c.unit.regionCode.startsWith('4501')).toBe(true);
    const freeze = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {}, bearer);
    expect(freeze.status).toBe(403);
    // Replaying the same challenge and signature is refused.
    const replay = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId, certificate: cert.certificatePem, signature }, none);
    expect(replay.status).toBe(401);
    expect(replay.body.field).toBe('challengeId');
    // The login counts as the certificate's activity (第二十条); the cert-service writes activity in
    // batches (a flush every few seconds), not on the login's path.
    const activity = await waitFor(async () => {
      const { rows } = await p.db.query('SELECT last_activity_at, last_activity_kind FROM cert.certificate WHERE serial = $1', [cert.serial]);
      return rows[0].last_activity_at ? rows[0] : undefined;
    });
    expect(activity.last_activity_kind).toBe('certificate_login');
    const st = await p.db.query('SELECT last_login_at FROM gateway.staff WHERE id = $1', [staff.id]);
    expect(st.rows[0].last_login_at).not.toBeNull();
  });

  it.each([
    ['county_acceptor', { read: 200, issue: 403, audit: 403, admin: 403 }],
    ['city_reviewer', { read: 200, issue: 403, audit: 403, admin: 403 }],
    ['province_approver', { read: 200, issue: 201, audit: 403, admin: 403 }],
    ['ca_operator', { read: 200, issue: 201, audit: 403, admin: 403 }],
    ['auditor', { read: 200, issue: 403, audit: 200, admin: 403 }],
    ['admin', { read: 200, issue: 201, audit: 200, admin: 200 }],
  ] as const)('gives a %s exactly the operations of its role', async (role, expected) => {
    const { cert, keyPath } = await staffWithCertificate(role, '450000', 'p256');
    const { res } = await login(cert.certificatePem, keyPath, 'p256');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bearer = { authorization: `Bearer ${res.body.token}`, 'x-api-key': '' };
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, bearer)).status).toBe(expected.read);
    const k = opensslCsr(dir, 'p256');
    const issued = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: k.csr, unit: { name: '角色测试', uscc: makeUscc('450100'), regionCode: '450100', accountNo: role.replace(/_/g, '-') } }, bearer);
    expect(issued.status).toBe(expected.issue);
    expect((await api(p.baseUrl, 'GET', '/api/v1/audit?pageSize=1', undefined, bearer)).status).toBe(expected.audit);
    expect((await api(p.baseUrl, 'GET', '/api/v1/clients', undefined, bearer)).status).toBe(expected.admin);
  });

  it('limits the unauthenticated login handshake per source address', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, () => api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none)));
    expect(results.some((r) => r.status === 429)).toBe(true);
    // fixed one-second windows: a burst straddling two windows may pass twice the limit, never more
    expect(results.filter((r) => r.status === 201).length).toBeLessThanOrEqual(40);
    await new Promise((r) => setTimeout(r, 1100));
  });

  it('ends a staff token at once when its certificate is frozen, and again after it is revoked', async () => {
    const { cert, keyPath } = await staffWithCertificate('auditor', '450000', 'p256');
    const { res } = await login(cert.certificatePem, keyPath, 'p256');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bearer = { authorization: `Bearer ${res.body.token}`, 'x-api-key': '' };
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, bearer)).status).toBe(200);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {})).status).toBe(200);
    const after = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, bearer);
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/frozen, revoked or expired/);
    // Unfrozen, the same token works again; revoked, it is dead for good.
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/unfreeze`, {})).status).toBe(200);
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, bearer)).status).toBe(200);
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/revoke`, { reason: 'keyCompromise' })).status).toBe(200);
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, bearer)).status).toBe(401);
  });

  it('throttles the login handshake per forwarded address behind the trusted proxy', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const from = (ip: string) => ({ ...none, 'x-forwarded-for': `198.51.100.1, ${ip}` });
    const burst = await Promise.all(Array.from({ length: 40 }, () => api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, from('203.0.113.7'))));
    expect(burst.some((r) => r.status === 429)).toBe(true);
    // Another client behind the same proxy is not throttled with it.
    expect((await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, from('203.0.113.8'))).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1100));
  });

  it('refuses an expired challenge', async () => {
    const { cert, keyPath } = await staffWithCertificate('auditor', '450000', 'p256');
    const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
    const signature = signChallenge(keyPath, ch.body.challenge, 'p256');
    await new Promise((r) => setTimeout(r, 2500));
    const res = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.certificatePem, signature }, none);
    expect(res.status).toBe(401);
    expect(res.body.field).toBe('challengeId');
  });

  it('refuses another key, a frozen certificate, a foreign CA and a forged token', async () => {
    const { cert } = await staffWithCertificate('auditor', '450000', 'p256');
    const other = opensslCsr(dir, 'p256');
    const activity = async () => (await p.db.query('SELECT last_activity_at FROM cert.certificate WHERE serial = $1', [cert.serial])).rows[0].last_activity_at as Date | null;
    const before = await activity();
    const wrongKey = await login(cert.certificatePem, other.keyPath, 'p256');
    expect(wrongKey.res.status).toBe(401);
    expect(wrongKey.res.body.field).toBe('signature');
    const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
    const garbage = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.certificatePem, signature: 'AAAA' }, none);
    expect(garbage.status).toBe(401);
    expect(garbage.body.field).toBe('signature');
    // Only a proven key holder counts as the certificate's activity (第二十条): refused logins leave it as it was.
    expect(await activity()).toEqual(before);
    const ch2 = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
    const notACertificate = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch2.body.challengeId, certificate: 'bm90IGEgY2VydGlmaWNhdGU=', signature: 'AAAA' }, none);
    expect(notACertificate.status).toBe(400);
    expect(notACertificate.headers.get('content-type')).toContain('application/problem+json');
    expect(notACertificate.body).toMatchObject({ code: 'validation_failed', field: 'certificate' });

    const frozen = await staffWithCertificate('auditor', '450000', 'p256');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${frozen.cert.serial}/freeze`, {})).status).toBe(200);
    const f = await login(frozen.cert.certificatePem, frozen.keyPath, 'p256');
    expect(f.res.status).toBe(401);
    expect(f.res.body.detail).toContain('frozen');

    const selfKey = dir.file('self.key');
    const selfCert = dir.file('self.pem');
    opensslResult(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', selfKey, '-subj', '/CN=intruder', '-out', selfCert]);
    const foreign = await login(readFileSync(selfCert, 'utf8'), selfKey, 'p256');
    expect(foreign.res.status).toBe(401);

    const forged = await api(p.baseUrl, 'GET', '/api/v1/certificates', undefined, { authorization: 'Bearer eyJzdWIiOiJ4In0.AAAA', 'x-api-key': '' });
    expect(forged.status).toBe(401);
  });

  it('creates the first administrator with a PKCS#12 soft token that can log in', async () => {
    const out = dir.file('admin.p12');
    const r = await adminCreate(p.config, { name: '管理员', idNumber: makeResidentId(), unitName: '人社信息中心', uscc: makeUscc('450000'), regionCode: '450000', algorithm: 'p256', out, password: 'test-pass' });
    const keyPath = dir.file('admin.key');
    const certPath = dir.file('admin.crt');
    opensslResult(['pkcs12', '-in', out, '-nocerts', '-nodes', '-passin', 'pass:test-pass', '-out', keyPath]);
    opensslResult(['pkcs12', '-in', out, '-clcerts', '-nokeys', '-passin', 'pass:test-pass', '-out', certPath]);
    const { res } = await login(readFileSync(certPath, 'utf8'), keyPath, 'p256');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.staff.id).toBe(r.staffId);
    expect(res.body.staff.role).toBe('admin');
    const bearer = { authorization: `Bearer ${res.body.token}`, 'x-api-key': '' };
    const clients = await api(p.baseUrl, 'GET', '/api/v1/clients?pageSize=1', undefined, bearer);
    expect(clients.status).toBe(200);
    expect(clients.body).toMatchObject({ page: 1, pageSize: 1, total: expect.any(Number) });
    expect(clients.body.items).toHaveLength(1);
    const staffPage = await api(p.baseUrl, 'GET', '/api/v1/staff?pageSize=100', undefined, bearer);
    expect(staffPage.status).toBe(200);
    expect(staffPage.body.items.map((s: { id: string }) => s.id)).toContain(r.staffId);
  });
});

describe('audit trail', () => {
  it('records changes and security events, masks ID numbers, and detects an edited record', async () => {
    const idNumber = makeResidentId();
    const k = opensslCsr(dir, 'p256');
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr: k.csr, unit: { name: '单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'A' }, person: { name: '赵六', idNumber } });
    expect(r.status).toBe(201);
    const audit = await api(p.baseUrl, 'GET', `/api/v1/audit?action=POST&target=${r.body.serial}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBe(1);
    expect(audit.body.items[0].outcome).toBe('success');
    expect(JSON.stringify(audit.body.items[0])).not.toContain(idNumber);
    const { rows: all } = await p.db.query('SELECT details::text AS d FROM gateway.audit_log');
    expect(all.map((x) => x.d).join('')).not.toContain(idNumber);

    const intact = await auditVerify(p.config);
    expect(intact.break).toBeUndefined();
    expect(intact.checked).toBeGreaterThan(5);

    const { rows } = await p.db.query('SELECT seq FROM gateway.audit_log ORDER BY seq LIMIT 1 OFFSET 2');
    const victim = Number(rows[0].seq);
    await p.db.query("UPDATE gateway.audit_log SET outcome = 'success', details = '{}' WHERE seq = $1", [victim]);
    const broken = await auditVerify(p.config);
    expect(broken.break?.seq).toBe(victim);
    expect(broken.break?.reason).toBe('hash_mismatch');

    await p.db.query('DELETE FROM gateway.audit_log WHERE seq = $1', [victim]);
    const gap = await auditVerify(p.config);
    expect(gap.break?.seq).toBe(victim);
    expect(gap.break?.reason).toBe('sequence_gap');
  });
});
