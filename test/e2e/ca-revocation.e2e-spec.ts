import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { INestMicroservice } from '@nestjs/common';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslAsync, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { CaRegistry } from '../../apps/cert-service/src/ca/ca-registry.service';
import { startCertService } from '../../apps/cert-service/src/main';
import { publicKeyFingerprint } from '@ecert/pki';
import { sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';

/**
 * CA-level certificates (issuing CA, OCSP signer, seal maker) can be revoked by an administrator:
 * the issuer's CRL lists them, the issuer's OCSP says revoked (the root's by the root key), the
 * revoked key signs nothing more, and OCSP signers and seal makers are replaced at once.
 */
let p: TestPlatform;
/** A second cert-service instance on the same database and bus: it must follow the changes. */
let second: INestMicroservice;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform();
  second = await startCertService(p.config);
});

afterAll(async () => {
  await second?.close();
  await p?.close();
  dir.remove();
});

interface CaView {
  caId: string;
  role: string;
  serial: string;
  certificatePem: string;
  revokedAt?: string;
  revocationReason?: string;
}

async function cas(): Promise<Record<string, CaView>> {
  const r = await api<CaView[]>(p.baseUrl, 'GET', '/pki/ca');
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.map((c) => [c.caId, c]));
}

function pemFile(name: string, pem: string): string {
  return dir.file(`${name}-${Math.random().toString(36).slice(2)}.pem`, pem);
}

async function crlText(caId: string): Promise<string> {
  const r = await fetch(`${p.baseUrl}/pki/crl/${caId}.crl`);
  expect(r.status).toBe(200);
  const f = dir.file(`${caId}-${Date.now()}-${Math.random()}.crl`, Buffer.from(await r.arrayBuffer()));
  return opensslResult(['crl', '-inform', 'DER', '-in', f, '-noout', '-text']).out;
}

/** openssl ocsp about `cert` issued by `issuer`, trusting `trusted` (PEM files). */
function ocsp(issuer: string, cert: string, trusted: string[], extra: string[] = []) {
  const bundle = dir.file(`bundle-${Math.random()}.pem`, trusted.map((f) => readFileSync(f, 'utf8')).join(''));
  return opensslAsync(['ocsp', '-issuer', issuer, '-cert', cert, '-url', `${p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-resp_text', ...extra]);
}

const revocationCount = async () => (await p.db.query('SELECT count(*)::int AS n FROM cert.ca_revocation')).rows[0].n as number;

async function issueUnit(kind: 'p256' | 'rsa2048') {
  const { csr } = opensslCsr(dir, kind);
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '南宁市某某科技有限公司', uscc: makeUscc(), regionCode: '450100', accountNo: 'CA-REV' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { serial: string; caId: string; certificatePem: string; chainPem: string[] };
}

/** A staff member of region 450000 logged in with a personal certificate of `kind`: its bearer headers and certificate. */
async function staffLogin(kind: 'p256' | 'rsa2048') {
  const { csr, keyPath } = opensslCsr(dir, kind);
  const issued = await api(p.baseUrl, 'POST', '/api/v1/certificates', {
    profile: 'personal',
    csr,
    unit: { name: '人社信息中心', uscc: makeUscc('450000'), regionCode: '450000', accountNo: 'STAFF' },
    person: { name: '审计员', idNumber: makeResidentId() },
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const staff = await api(p.baseUrl, 'POST', '/api/v1/staff', { name: '审计员', role: 'auditor', regionCode: '450000', certificateSerials: [issued.body.serial] });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
  const none = { 'x-api-key': '' };
  const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
  const data = dir.file(`challenge-${Math.random()}.bin`, Buffer.from(ch.body.challenge, 'base64'));
  const sig = dir.file(`challenge-${Math.random()}.sig`);
  opensslResult(['dgst', '-sha256', '-sign', keyPath, '-out', sig, data]);
  const login = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: issued.body.certificatePem, signature: readFileSync(sig).toString('base64') }, none);
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { bearer: { authorization: `Bearer ${login.body.token}`, 'x-api-key': '' }, serial: issued.body.serial as string };
}

describe('who may revoke a CA, and bad input', () => {
  it('refuses callers without the admin operation, roots, unknown CAs and bad reasons, changing nothing', async () => {
    const before = await cas();
    const { apiKey } = await p.gateway!.get(ClientsService).register({ name: 'operator system', department: 'tests', operations: ['certificates:read', 'certificates:issue', 'certificates:manage'] });
    const notAdmin = await api(p.baseUrl, 'POST', '/api/v1/cas/sm2-ocsp/revoke', { reason: 'keyCompromise' }, { 'x-api-key': apiKey });
    expect(notAdmin.status).toBe(403);
    const cases: [string, string, unknown, number, string, string?][] = [
      ['root', 'sm2-root', { reason: 'cACompromise' }, 400, 'validation_failed', 'caId'],
      ['unknown CA', 'sm2-nothing', { reason: 'superseded' }, 404, 'ca_not_found'],
      ['hold is not a revocation', 'sm2-ocsp', { reason: 'certificateHold' }, 400, 'validation_failed', 'reason'],
      ['no reason', 'sm2-ocsp', {}, 400, 'validation_failed', 'reason'],
    ];
    for (const [label, caId, body, status, code, field] of cases) {
      const r = await api(p.baseUrl, 'POST', `/api/v1/cas/${caId}/revoke`, body);
      expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.headers.get('content-type'), label).toContain('application/problem+json');
      expect(r.body.code, label).toBe(code);
      if (field) expect(r.body.field, label).toBe(field);
    }
    expect(await revocationCount()).toBe(0);
    const after = await cas();
    for (const id of Object.keys(before)) expect(after[id].serial).toBe(before[id].serial);
  });
});

describe('revoking the OCSP signer', () => {
  it('lists it on the issuing CA CRL, answers revoked for it, replaces it, and OCSP keeps working', async () => {
    const cert = await issueUnit('p256');
    const before = await cas();
    const oldSigner = before['ecdsa-ocsp'];
    const root = pemFile('ecdsa-root', before['ecdsa-root'].certificatePem);
    const issuing = pemFile('ecdsa-issuing', before['ecdsa-issuing'].certificatePem);
    const oldSignerFile = pemFile('ecdsa-ocsp-old', oldSigner.certificatePem);
    const leaf = pemFile('leaf', cert.certificatePem);

    let r = await ocsp(issuing, oldSignerFile, [root, issuing]);
    expect(r.out).toMatch(/: good/);

    const revoked = await api(p.baseUrl, 'POST', '/api/v1/cas/ecdsa-ocsp/revoke', { reason: 'keyCompromise', comment: 'HSM 丢失' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.revoked).toMatchObject({ caId: 'ecdsa-ocsp', serial: oldSigner.serial, revocationReason: 'keyCompromise', issuerCaId: 'ecdsa-issuing' });
    expect(revoked.body.replacement.caId).toBe('ecdsa-ocsp');
    expect(revoked.body.replacement.serial).not.toBe(oldSigner.serial);
    expect(revoked.body.replacement.revokedAt).toBeUndefined();
    expect(revoked.body.stopped).toEqual([]);
    // Either instance may answer the CA list: both show the replacement once the broadcast arrived.
    for (let i = 0; i < 4; i++) await waitFor(async () => (await cas())['ecdsa-ocsp'].serial === revoked.body.replacement.serial);

    // The issuing CA's complete CRL lists the old signer.
    const crl = await waitFor(async () => {
      const t = await crlText('ecdsa-issuing');
      return t.toUpperCase().includes(oldSigner.serial.toUpperCase()) && t;
    });
    expect(crl).toContain('Key Compromise');
    // Its OCSP says so, signed by the new signer, which openssl accepts as the issuing CA's delegate.
    r = await ocsp(issuing, oldSignerFile, [root, issuing]);
    expect(r.out).toMatch(/: revoked/);
    expect(r.out).toContain('Reason: keyCompromise');
    expect(r.out).toContain('Response verify OK');
    // Nonce-less, so the cert-service's signer answers (with a nonce the gateway's own key would).
    r = await ocsp(issuing, leaf, [root, issuing], ['-no_nonce']);
    expect(r.out).toMatch(/: good/);
    expect(r.out).toContain('Response verify OK');
    // The answer carries the new signer's certificate (openssl prints serials as aa:bb:…).
    const colons = (serial: string) => serial.match(/.{2}/g)!.join(':');
    expect(r.out).toContain(colons(revoked.body.replacement.serial));
    expect(r.out).not.toContain(colons(oldSigner.serial));
    // The other instance follows: it no longer signs with the revoked key.
    await waitFor(async () => second.get(CaRegistry).find('ecdsa-ocsp')?.serial === revoked.body.replacement.serial);
    // Issuance goes on in the family.
    await issueUnit('p256');
  });
});

describe('revoking the seal maker', () => {
  it('lists it on the issuing CA CRL and replaces it with a new key', async () => {
    const before = (await cas())['sm2-seal-maker'];
    const r = await api(p.baseUrl, 'POST', '/api/v1/cas/sm2-seal-maker/revoke', { reason: 'superseded' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.replacement.serial).not.toBe(before.serial);
    const crl = await waitFor(async () => {
      const t = await crlText('sm2-issuing');
      return t.toUpperCase().includes(before.serial.toUpperCase()) && t;
    });
    expect(crl).toContain('Superseded');
    const { rows } = await p.db.query("SELECT reason, ca_id, role, actor, client_id FROM cert.ca_revocation WHERE serial = $1", [before.serial]);
    expect(rows).toEqual([expect.objectContaining({ reason: 'superseded', ca_id: 'sm2-seal-maker', role: 'seal-maker' })]);
    expect(rows[0].client_id).toBeTruthy();
  });
});

describe('revoking an issuing CA', () => {
  it('the root CRL lists it, the root OCSP answers revoked, and the whole family stops signing', async () => {
    const cert = await issueUnit('rsa2048');
    // A staff member logged in with a certificate of the family, and one of another family.
    const staff = await staffLogin('rsa2048');
    const otherStaff = await staffLogin('p256');
    const staffCall = (bearer: Record<string, string>) => api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=1', undefined, bearer);
    expect((await staffCall(staff.bearer)).status).toBe(200);
    const before = await cas();
    const root = pemFile('rsa-root', before['rsa-root'].certificatePem);
    const issuing = pemFile('rsa-issuing', before['rsa-issuing'].certificatePem);
    const leaf = pemFile('rsa-leaf', cert.certificatePem);

    // Before: the root's OCSP knows its issuing CA (it used to say "unknown").
    let r = await ocsp(root, issuing, [root]);
    expect(r.out, r.out).toMatch(/: good/);
    expect(r.out).toContain('Response verify OK');

    const revoked = await api(p.baseUrl, 'POST', '/api/v1/cas/rsa-issuing/revoke', { reason: 'cACompromise' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.replacement).toBeUndefined();
    expect(revoked.body.stopped).toEqual(['rsa-issuing', 'rsa-ocsp', 'rsa-seal-maker']);

    const crl = await waitFor(async () => {
      const t = await crlText('rsa-root');
      return t.toUpperCase().includes(before['rsa-issuing'].serial.toUpperCase()) && t;
    });
    expect(crl).toContain('CA Compromise');
    r = await ocsp(root, issuing, [root]);
    expect(r.out).toMatch(/: revoked/);
    expect(r.out).toContain('Reason: cACompromise');
    expect(r.out).toContain('Response verify OK');
    // openssl's path check with the root CRL now refuses the subscriber certificate.
    const rootCrl = dir.file('rsa-root.crl', Buffer.from(await (await fetch(`${p.baseUrl}/pki/crl/rsa-root.crl`)).arrayBuffer()));
    const rootCrlPem = dir.file('rsa-root-crl.pem');
    opensslResult(['crl', '-inform', 'DER', '-in', rootCrl, '-out', rootCrlPem]);
    const issuingCrl = dir.file('rsa-issuing.crl', Buffer.from(await (await fetch(`${p.baseUrl}/pki/crl/rsa-issuing.crl`)).arrayBuffer()));
    const issuingCrlPem = dir.file('rsa-issuing-crl.pem');
    opensslResult(['crl', '-inform', 'DER', '-in', issuingCrl, '-out', issuingCrlPem]);
    const v = opensslResult(['verify', '-crl_check_all', '-CAfile', root, '-untrusted', issuing, '-CRLfile', rootCrlPem, '-CRLfile', issuingCrlPem, leaf]);
    expect(v.out).toContain('certificate revoked');

    // Nothing is signed under it any more: no issuance, no OCSP answers about its certificates.
    const count = async () => (await p.db.query('SELECT count(*)::int AS n FROM cert.certificate')).rows[0].n as number;
    const n = await count();
    const refused = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: opensslCsr(dir, 'rsa2048').csr, unit: { name: '单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'X' } });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('ca_revoked');
    expect(await count()).toBe(n);
    r = await ocsp(issuing, leaf, [root, issuing]);
    expect(r.out).toMatch(/unauthorized/i);
    // Its subordinates cannot be revoked on their own (nothing could list them), nor it twice.
    const sub = await api(p.baseUrl, 'POST', '/api/v1/cas/rsa-ocsp/revoke', { reason: 'superseded' });
    expect(sub.status).toBe(409);
    const twice = await api(p.baseUrl, 'POST', '/api/v1/cas/rsa-issuing/revoke', { reason: 'superseded' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('illegal_state_transition');
    const view = (await cas())['rsa-issuing'];
    expect(view).toMatchObject({ revocationReason: 'cACompromise' });
    // Subscriber rows keep their status, but their view says the issuer is revoked …
    const leafView = await api(p.baseUrl, 'GET', `/api/v1/certificates/${cert.serial}`);
    expect(leafView.body).toMatchObject({ status: 'active', issuerRevoked: true });
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${otherStaff.serial}`)).body.issuerRevoked).toBeUndefined();
    // … and a staff token won with such a certificate ends at once; one of another family does not.
    const ended = await staffCall(staff.bearer);
    expect(ended.status).toBe(401);
    expect(ended.body.detail).toMatch(/frozen, revoked or expired/);
    expect((await staffCall(otherStaff.bearer)).status).toBe(200);
    // No seal is made for it either (the seal maker of another family would sign).
    const seal = await api(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'official', name: '南宁市某某科技有限公司', image: sealPng(240, 20).toString('base64'), widthMm: 42, heightMm: 42, certificateSerial: cert.serial });
    expect(seal.status, JSON.stringify(seal.body)).toBe(422);
    expect(seal.body).toMatchObject({ code: 'certificate_not_active', field: 'certificateSerial' });
    // Other families are untouched.
    await issueUnit('p256');
  });

  it('a restart keeps it revoked and does not replace it or its subordinates', async () => {
    const before = await cas();
    await second.close();
    await p.restart();
    second = await startCertService(p.config);
    const after = await cas();
    for (const id of ['rsa-issuing', 'rsa-ocsp', 'rsa-seal-maker', 'ecdsa-ocsp', 'sm2-seal-maker']) expect(after[id].serial, id).toBe(before[id].serial);
    expect(after['rsa-issuing'].revokedAt).toBeTruthy();
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: opensslCsr(dir, 'rsa2048').csr, unit: { name: '单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'Y' } });
    expect(r.body.code).toBe('ca_revoked');
  });
});

describe('keys of CA certificates revoked for key compromise', () => {
  it('are refused in CSRs like subscriber keys', async () => {
    // The CA keys live in the key store; stand in a CA revocation for a key the test holds.
    const { csr, keyPath } = opensslCsr(dir, 'p256');
    const pub = dir.file('spki-pub.der');
    opensslResult(['pkey', '-in', keyPath, '-pubout', '-outform', 'DER', '-out', pub]);
    const fingerprint = publicKeyFingerprint(new Uint8Array(readFileSync(pub)));
    await p.db.query(
      `INSERT INTO cert.ca_revocation (issuer_ca_id, serial, ca_id, role, subject, certificate, spki_sha256, not_after, revoked_at, reason)
       VALUES ('ecdsa-issuing', 'feedface', 'ecdsa-ocsp', 'ocsp', 'CN=stand-in', '\\x00', $1, now() + interval '1 day', now(), 'keyCompromise')`,
      [fingerprint],
    );
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'Z' } });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body).toMatchObject({ code: 'key_compromised', field: 'csr' });
  });
});
