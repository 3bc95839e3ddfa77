import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, openssl, opensslAsync, opensslCsr, opensslResult, tamperCsrSubject, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';
import { readPersonalIdCode } from '@ecert/pki';

let p: TestPlatform;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform();
});

afterAll(async () => {
  await p?.close();
  dir.remove();
});

function unit(uscc = makeUscc(), accountNo = '4501000001') {
  return { name: '南宁市某某科技有限公司', uscc, regionCode: '450100', accountNo };
}

async function issue(kind: 'p256' | 'rsa2048' | 'sm2' | 'p384', u = unit()) {
  const { csr, keyPath } = opensslCsr(dir, kind);
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: u });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...r.body, keyPath };
}

const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

async function certificateCount(): Promise<number> {
  const { rows } = await p.db.query('SELECT count(*)::int AS n FROM cert.certificate');
  return rows[0].n;
}

function writeChain(cert: { serial: string; certificatePem: string; chainPem: string[] }) {
  const leaf = dir.file(`${cert.serial}.pem`, cert.certificatePem);
  const issuing = dir.file(`${cert.serial}-issuing.pem`, cert.chainPem[0]);
  const root = dir.file(`${cert.serial}-root.pem`, cert.chainPem[1]);
  return { leaf, issuing, root };
}

async function fetchCrl(caId: string, delta = false): Promise<Buffer> {
  const r = await fetch(`${p.baseUrl}/pki/crl/${caId}${delta ? '-delta' : ''}.crl`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('application/pkix-crl');
  return Buffer.from(await r.arrayBuffer());
}

function crlText(der: Buffer): string {
  const f = dir.file(`crl-${Date.now()}-${Math.random()}.der`, der);
  return opensslResult(['crl', '-inform', 'DER', '-in', f, '-noout', '-text']).out;
}

function ocsp(files: { leaf: string; issuing: string; root: string }) {
  const bundle = dir.file(`bundle-${Math.random()}.pem`);
  writeFileSync(bundle, readFileSync(files.root, 'utf8') + readFileSync(files.issuing, 'utf8'));
  return opensslAsync(['ocsp', '-issuer', files.issuing, '-cert', files.leaf, '-url', `${p.baseUrl}/pki/ocsp`, '-CAfile', bundle, '-resp_text']);
}

describe('platform health', () => {
  it('reports every service and store up', async () => {
    const r = await api(p.baseUrl, 'GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('up');
    for (const s of ['cert-service', 'seal-service', 'workflow-service']) expect(r.body.services[s].status).toBe('up');
    expect(r.body.stores).toEqual({ postgres: 'up', nats: 'up', redis: 'up' });
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('serves the OpenAPI document', async () => {
    const r = await api(p.baseUrl, 'GET', '/api/docs-json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toContain('/api/v1/certificates');
  });
});

describe('issuance and chain', () => {
  it.each(['p256', 'rsa2048', 'p384'] as const)('issues a %s unit certificate that openssl verifies to the root', async (kind) => {
    const cert = await issue(kind);
    expect(cert.serial).toMatch(/^[0-9a-f]{32}$/);
    expect(cert.status).toBe('active');
    expect(cert.chainPem).toHaveLength(2);
    const f = writeChain(cert);
    const v = opensslResult(['verify', '-CAfile', f.root, '-untrusted', f.issuing, f.leaf]);
    expect(v.out).toContain(': OK');
    const text = opensslResult(['x509', '-in', f.leaf, '-noout', '-text']).out;
    expect(text).toContain('CRL Distribution Points');
    expect(text).toContain(`${p.baseUrl}/pki/ocsp`);
    expect(text).toContain('1.2.156.10260.4.1.4');
    // Freshest CRL: the pointer a delta-aware client follows, and what it finds there is the delta.
    const freshest = /X509v3 Freshest CRL:\s*\n\s*Full Name:\s*\n\s*URI:(\S+)/.exec(text);
    expect(freshest?.[1]).toMatch(new RegExp(`^${p.baseUrl}/pki/crl/[a-z0-9-]+-delta\\.crl$`));
    const delta = await fetch(freshest![1]!);
    expect(delta.status).toBe(200);
    const deltaText = opensslResult(['crl', '-inform', 'DER', '-in', dir.file(`${cert.serial}-freshest.crl`, Buffer.from(await delta.arrayBuffer())), '-noout', '-text']).out;
    expect(deltaText).toContain('Delta CRL Indicator');
    const got = await api(p.baseUrl, 'GET', `/api/v1/certificates/${cert.serial}`);
    expect(got.status).toBe(200);
    expect(got.body.certificatePem).toBe(cert.certificatePem);
  });

  it('issues a personal certificate and masks the ID number in the API', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const idNumber = makeResidentId();
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr, unit: unit(), person: { name: '张三', idNumber } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.person.name).toBe('张三');
    expect(r.body.person.idNumberMasked).not.toContain(idNumber.slice(6, 14));
    expect(JSON.stringify(r.body)).not.toContain(idNumber);
    // The certificate carries the salted hash: no ID digits in its DER or in openssl's reading of it.
    const der = pemToDer(r.body.certificatePem);
    for (const part of [idNumber, idNumber.slice(6, 14), idNumber.slice(10)]) expect(der.includes(Buffer.from(part)), part).toBe(false);
    const leaf = dir.file(`${r.body.serial}-personal.pem`, r.body.certificatePem);
    const text = opensslResult(['x509', '-in', leaf, '-noout', '-text']).out;
    expect(text).toContain('1.2.156.10260.4.1.1');
    expect(text).not.toContain(idNumber.slice(6, 14));
    // A relying system holding the salt reproduces the value from the number it knows.
    const salted = opensslResult(['dgst', '-sm3', '-hmac', p.config.ECERT_PERSONAL_ID_SALT, dir.file(`${r.body.serial}-id.txt`, idNumber)]).out.trim().split('= ')[1];
    expect(readPersonalIdCode(der)).toEqual({ kind: 'hash', hash: `hmac-sm3:${salted}` });
    expect(text).toContain(`hmac-sm3:${salted}`);
    // The database keeps the hash and the masked form, never the number.
    const { rows } = await p.db.query('SELECT person_id_hash, person_id_masked, row_to_json(c)::text AS everything FROM cert.certificate c WHERE serial = $1', [r.body.serial]);
    expect(rows[0].person_id_hash).toBe(`hmac-sm3:${salted}`);
    expect(rows[0].person_id_masked).toBe(r.body.person.idNumberMasked);
    expect(rows[0].everything).not.toContain(idNumber.slice(6, 14));
    const { rows: outbox } = await p.db.query('SELECT payload::text AS t FROM cert.outbox WHERE aggregate_id = $1', [r.body.serial]);
    for (const o of outbox) expect(o.t).not.toContain(idNumber);
  });

  it('renews a personal certificate without the number: the successor carries the same hash', async () => {
    const idNumber = makeResidentId('450102', '19900101');
    const first = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'personal', csr: opensslCsr(dir, 'p256').csr, unit: unit(), person: { name: '王五', idNumber } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const renewed = await api(p.baseUrl, 'POST', `/api/v1/certificates/${first.body.serial}/renew`, { csr: opensslCsr(dir, 'sm2').csr });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(201);
    expect(renewed.body.profile).toBe('personal');
    expect(renewed.body.person).toEqual(first.body.person);
    const oldCode = readPersonalIdCode(pemToDer(first.body.certificatePem));
    const newDer = pemToDer(renewed.body.certificatePem);
    expect(oldCode?.kind).toBe('hash');
    expect(readPersonalIdCode(newDer)).toEqual(oldCode);
    expect(newDer.includes(Buffer.from(idNumber))).toBe(false);
    const { rows } = await p.db.query('SELECT person_id_hash FROM cert.certificate WHERE serial = ANY($1) ORDER BY created_at', [[first.body.serial, renewed.body.serial]]);
    expect(rows.map((x) => x.person_id_hash)).toEqual([(oldCode as { hash: string }).hash, (oldCode as { hash: string }).hash]);
  });

  it('accepts an SM2 CSR from openssl and signs with real SM2 that openssl verifies', async () => {
    const cert = await issue('sm2');
    expect(cert.caId).toBe('sm2-issuing');
    const f = writeChain(cert);
    // Extract TBS and signature; check them with the issuing CA's public key and the standard ID.
    const der = dir.file(`${cert.serial}.der`);
    opensslResult(['x509', '-in', f.leaf, '-outform', 'DER', '-out', der]);
    const tbs = dir.file(`${cert.serial}.tbs`);
    opensslResult(['asn1parse', '-in', der, '-inform', 'DER', '-strparse', '4', '-noout', '-out', tbs]);
    const parse = opensslResult(['asn1parse', '-in', der, '-inform', 'DER']).out;
    const bitLine = parse.split('\n').filter((l) => l.includes('BIT STRING')).pop()!;
    const offset = bitLine.trim().split(':')[0];
    const sig = dir.file(`${cert.serial}.sig`);
    opensslResult(['asn1parse', '-in', der, '-inform', 'DER', '-strparse', offset, '-noout', '-out', sig]);
    const pub = dir.file(`${cert.serial}-issuing-pub.pem`);
    opensslResult(['x509', '-in', f.issuing, '-pubkey', '-noout', '-out', pub]);
    const v = opensslResult(['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', pub, '-signature', sig, tbs]);
    expect(v.out).toContain('Verified OK');
  });
});

describe('bad input changes nothing', () => {
  const cases: [string, () => Promise<unknown>, number, string][] = [];
  it('refuses each bad request with the field named', async () => {
    const good = opensslCsr(dir, 'p256');
    const rsa1024 = opensslCsr(dir, 'rsa1024');
    const other = opensslCsr(dir, 'p256');
    // A CSR whose signature does not match its key: the subject DER of another CSR swapped in.
    const tampered = tamperCsrSubject(good.csr);
    const before = await certificateCount();
    const uBadCheck = (() => {
      const u = makeUscc();
      const last = u[17] === '0' ? '1' : '0';
      return u.slice(0, 17) + last;
    })();
    const expectations: [string, unknown, number, string][] = [
      ['malformed CSR', { profile: 'unit', csr: 'not a csr', unit: unit() }, 400, 'csr'],
      ['truncated CSR', { profile: 'unit', csr: good.csr.slice(0, 200), unit: unit() }, 400, 'csr'],
      ['signature mismatch', { profile: 'unit', csr: tampered, unit: unit() }, 400, 'csr'],
      ['RSA-1024', { profile: 'unit', csr: rsa1024.csr, unit: unit() }, 400, 'csr'],
      ['wrong USCC check', { profile: 'unit', csr: other.csr, unit: unit(uBadCheck) }, 400, 'unit.uscc'],
      ['unknown region', { profile: 'unit', csr: other.csr, unit: { ...unit(), regionCode: '459999' } }, 400, 'unit.regionCode'],
      [
        'wrong resident ID check digit',
        { profile: 'personal', csr: other.csr, unit: unit(), person: { name: '李四', idNumber: (() => { const id = makeResidentId(); return id.slice(0, 17) + (id[17] === '1' ? '2' : '1'); })() } },
        400,
        'person.idNumber',
      ],
      ['unknown profile', { profile: 'robot', csr: other.csr, unit: unit() }, 400, 'profile'],
      ['missing unit', { profile: 'unit', csr: other.csr }, 400, 'unit'],
    ];
    for (const [label, body, status, field] of expectations) {
      const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', body);
      expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.headers.get('content-type'), label).toContain('application/problem+json');
      expect(r.body.field, label).toBe(field);
      expect(typeof r.body.code, label).toBe('string');
    }
    const big = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: 'x'.repeat(200_000), unit: unit() });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('body_too_large');
    const unknown = await api(p.baseUrl, 'GET', '/api/v1/certificates/0123456789abcdef');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('certificate_not_found');
    const badSerial = await api(p.baseUrl, 'POST', '/api/v1/certificates/zz-not-hex/freeze', {});
    expect(badSerial.status).toBe(400);
    expect(badSerial.body.field).toBe('serial');
    const badReason = await api(p.baseUrl, 'POST', '/api/v1/certificates/0123456789abcdef/revoke', { reason: 'bored' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.field).toBe('reason');
    expect(await certificateCount()).toBe(before);
    void cases;
  });
});

describe('Idempotency-Key', () => {
  it('answers a retried issuance with the first certificate instead of issuing twice', async () => {
    const { csr } = opensslCsr(dir, 'p256');
    const body = { profile: 'unit', csr, unit: unit(makeUscc(), 'IDEM-1') };
    const key = `idem-${Date.now()}`;
    const before = await certificateCount();
    const first = await api(p.baseUrl, 'POST', '/api/v1/certificates', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await api(p.baseUrl, 'POST', '/api/v1/certificates', body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body.serial).toBe(first.body.serial);
    expect(await certificateCount()).toBe(before + 1);
    const other = await api(p.baseUrl, 'POST', '/api/v1/certificates', { ...body, unit: unit(makeUscc(), 'IDEM-2') }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.field).toBe('Idempotency-Key');
    const bad = await api(p.baseUrl, 'POST', '/api/v1/certificates', body, { 'idempotency-key': 'x' });
    expect(bad.status).toBe(400);
    expect(await certificateCount()).toBe(before + 1);
  });
});

describe('expiry', () => {
  it('shows a certificate past notAfter as expired and refuses lifecycle changes on it', async () => {
    const cert = await issue('p256');
    await p.db.query("UPDATE cert.certificate SET not_before = now() - interval '2 days', not_after = now() - interval '1 minute' WHERE serial = $1", [cert.serial]);
    const got = await api(p.baseUrl, 'GET', `/api/v1/certificates/${cert.serial}`);
    expect(got.body.status).toBe('expired');
    const list = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${cert.unit.uscc}&status=expired`);
    expect(list.body.items.map((c: { serial: string }) => c.serial)).toContain(cert.serial);
    const fr = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {});
    expect(fr.status).toBe(409);
    expect(fr.body.currentStatus).toBe('expired');
  });
});

describe('per-account limit', () => {
  it('allows four active unit certificates per account and refuses the fifth', async () => {
    const u = unit(makeUscc(), 'ACC-LIMIT');
    for (let i = 0; i < 4; i++) await issue('p256', u);
    const before = await certificateCount();
    const { csr, keyPath } = opensslCsr(dir, 'p256');
    const requestId = `req-limit-${Date.now()}`;
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: u }, { 'x-request-id': requestId });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('certificate_limit_reached');
    expect(await certificateCount()).toBe(before);
    // The guard refused it after the CA signed it: that signature is accounted for, as a discarded
    // certificate whose TBS certifies this CSR's key, and that is not in cert.certificate.
    // (written just after the answer, not before it)
    const discarded = await waitFor(async () => {
      const { rows } = await p.db.query('SELECT serial, command, reason, tbs_der FROM cert.discarded_certificate WHERE request_id = $1', [requestId]);
      return rows.length ? rows : undefined;
    });
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({ command: 'issue', reason: 'certificate_limit_reached' });
    const spki = dir.file(`${requestId}.spki.der`);
    openssl(['pkey', '-in', keyPath, '-pubout', '-outform', 'DER', '-out', spki]);
    expect(discarded[0].tbs_der.includes(readFileSync(spki))).toBe(true);
    expect((await p.db.query('SELECT 1 FROM cert.certificate WHERE serial = $1', [discarded[0].serial])).rows).toHaveLength(0);
    // Auditors see it through the API, by the hash an HSM's log shows; only within their regions.
    const since = new Date(Date.now() - 60_000).toISOString();
    const listed = await api(p.baseUrl, 'GET', `/api/v1/discarded-certificates?since=${since}&region=450100&pageSize=100`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const entry = listed.body.items.find((x: { serial: string }) => x.serial === discarded[0].serial);
    expect(entry).toMatchObject({ command: 'issue', reason: 'certificate_limit_reached', regionCode: '450100', requestId, tbsSha256: createHash('sha256').update(discarded[0].tbs_der).digest('hex') });
    // The CA here is ECDSA P-256 with SHA-256: the digest its key signed is the TBS's SHA-256.
    expect(entry).toMatchObject({ signedDigest: entry.tbsSha256, signedDigestAlgorithm: 'SHA-256' });
    expect(JSON.stringify(listed.body)).not.toContain(Buffer.from(discarded[0].tbs_der).toString('base64').slice(0, 40));
    const client = async (operations: string[], regionCodes?: string[]) => {
      const r = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'auditor', department: 'audit', operations, ...(regionCodes ? { regionCodes } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return { 'x-api-key': r.body.apiKey as string };
    };
    const elsewhere = await api(p.baseUrl, 'GET', `/api/v1/discarded-certificates?since=${since}&pageSize=100`, undefined, await client(['audit:read'], ['370000']));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.items.some((x: { serial: string }) => x.serial === discarded[0].serial)).toBe(false);
    expect((await api(p.baseUrl, 'GET', '/api/v1/discarded-certificates', undefined, await client(['certificates:read']))).status).toBe(403);
    const badSince = await api(p.baseUrl, 'GET', '/api/v1/discarded-certificates?since=yesterday');
    expect(badSince.status).toBe(400);
    expect(badSince.body.field).toBe('since');
    // Asked again at once, the account is checked before signing: refused alike, nothing signed.
    const repeatId = `${requestId}-again`;
    const repeat = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: u }, { 'x-request-id': repeatId });
    expect(repeat.body.code).toBe('certificate_limit_reached');
    await new Promise((r) => setTimeout(r, 300));
    expect((await p.db.query('SELECT 1 FROM cert.discarded_certificate WHERE request_id = $1', [repeatId])).rows).toHaveLength(0);
    const list = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${u.uscc}&status=active&pageSize=2`);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(4);
    expect(list.body.items).toHaveLength(2);
  });
});

describe('the list', () => {
  it('pages newest first with next/after, unaffected by certificates issued meanwhile', async () => {
    const u = unit(makeUscc(), 'ACC-PAGES');
    const issued: string[] = [];
    for (let i = 0; i < 3; i++) issued.push((await issue('p256', u)).serial);
    const first = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${u.uscc}&pageSize=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(first.body.items.map((c: { serial: string }) => c.serial)).toEqual([issued[2], issued[1]]);
    expect(first.body.next).toEqual(expect.any(String));
    // A newer certificate would shift an offset page 2; the cursor continues where page 1 ended.
    await issue('p256', u);
    const second = await api(p.baseUrl, 'GET', `/api/v1/certificates?uscc=${u.uscc}&pageSize=2&after=${first.body.next}`);
    expect(second.status).toBe(200);
    expect(second.body.items.map((c: { serial: string }) => c.serial)).toEqual([issued[0]]);
    expect(second.body.next).toBeUndefined();
    expect(second.body.total).toBeUndefined();
    for (const bad of ['not-a-cursor', 'a%2Fb', Buffer.from('zz|1').toString('base64url')]) {
      expect((await api(p.baseUrl, 'GET', `/api/v1/certificates?after=${bad}`)).body, bad).toMatchObject({ status: 400, code: 'validation_failed', field: 'after' });
    }
  });

  it("a cursor made at another region's certificate tells a regional client nothing of it", async () => {
    const reader = await api(p.baseUrl, 'POST', '/api/v1/clients', { name: 'Nanning reader', department: 'tests', operations: ['certificates:read'], regionCodes: ['450100'] });
    expect(reader.status, JSON.stringify(reader.body)).toBe(201);
    const nanning = { 'x-api-key': reader.body.apiKey as string };
    const older = await issue('p256');
    const hangzhou = await issue('p256', { name: '杭州市某某科技有限公司', uscc: makeUscc('330100'), regionCode: '330100', accountNo: '3301000001' });
    const newer = await issue('p256');
    // Nationally the Hangzhou certificate ends the first page: its cursor is its position.
    const national = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=2');
    expect(national.body.items.map((c: { serial: string }) => c.serial)).toEqual([newer.serial, hangzhou.serial]);
    const own = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=50', undefined, nanning);
    expect(own.body.items[0].serial).toBe(newer.serial);
    const after = await api(p.baseUrl, 'GET', `/api/v1/certificates?pageSize=49&after=${national.body.next}`, undefined, nanning);
    expect(after.status).toBe(200);
    // Exactly the client's own list past that point: nothing of the other region, no 403, no lookup.
    expect(after.body.items[0].serial).toBe(older.serial);
    expect(after.body.items.map((c: { serial: string }) => c.serial)).toEqual(own.body.items.slice(1).map((c: { serial: string }) => c.serial));
    expect(JSON.stringify(after.body)).not.toContain(hangzhou.serial);
    // The old form (a serial, to be looked up) is no cursor any more.
    const bySerial = Buffer.from(hangzhou.serial).toString('base64url');
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates?after=${bySerial}`, undefined, nanning)).body).toMatchObject({ status: 400, field: 'after' });
  });

  it('refuses a page past 10,000 naming page (deeper: next/after), not a 500 from OFFSET', async () => {
    for (const page of ['10001', '99999999999999999999']) {
      expect((await api(p.baseUrl, 'GET', `/api/v1/certificates?page=${page}`)).body, page).toMatchObject({ status: 400, code: 'validation_failed', field: 'page' });
    }
    expect((await api(p.baseUrl, 'GET', '/api/v1/certificates?page=10000')).status).toBe(200);
  });
});

describe('lifecycle, CRL and OCSP against openssl', () => {
  it('freeze → hold, unfreeze → good, revoke → revoked, seen by openssl ocsp and verify -crl_check', async () => {
    const cert = await issue('p256');
    const f = writeChain(cert);
    const caId = cert.caId as string;

    let r = await ocsp(f);
    expect(r.out).toMatch(/: good/);
    expect(r.out).toContain('Response verify OK');

    const frozen = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, { comment: '用户报失' });
    expect(frozen.status).toBe(200);
    expect(frozen.body.status).toBe('frozen');
    r = await ocsp(f);
    expect(r.out).toMatch(/: revoked/);
    expect(r.out).toContain('Reason: certificateHold');

    // A complete CRL listing the hold is published promptly.
    const heldCrl = await waitFor(async () => {
      const t = crlText(await fetchCrl(caId));
      return t.toUpperCase().includes(cert.serial.toUpperCase()) && t;
    });
    expect(heldCrl).toContain('Certificate Hold');

    const again = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('illegal_state_transition');

    const unfrozen = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/unfreeze`, {});
    expect(unfrozen.status).toBe(200);
    expect(unfrozen.body.status).toBe('active');
    r = await ocsp(f);
    expect(r.out).toMatch(/: good/);

    // The base listed the hold, so the delta says removeFromCRL.
    const delta = await waitFor(async () => {
      const t = crlText(await fetchCrl(caId, true));
      return t.toUpperCase().includes(cert.serial.toUpperCase()) && t;
    });
    expect(delta).toContain('Remove From CRL');
    expect(delta).toMatch(/Delta CRL Indicator/);

    const revoked = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect(revoked.body.revocationReason).toBe('keyCompromise');
    r = await ocsp(f);
    expect(r.out).toMatch(/: revoked/);
    expect(r.out).toContain('Reason: keyCompromise');

    const unfreezeRevoked = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/unfreeze`, {});
    expect(unfreezeRevoked.status).toBe(409);

    await waitFor(async () => {
      const crl = dir.file(`full-${cert.serial}.crl`, await fetchCrl(caId));
      const crlPem = dir.file(`full-${cert.serial}.pem`);
      opensslResult(['crl', '-inform', 'DER', '-in', crl, '-out', crlPem]);
      const v = opensslResult(['verify', '-crl_check', '-CAfile', f.root, '-untrusted', f.issuing, '-CRLfile', crlPem, f.leaf]);
      return v.out.includes('certificate revoked');
    });
  });

  it('openssl verify -crl_check accepts a good certificate with the published CRL', async () => {
    const cert = await issue('rsa2048');
    const f = writeChain(cert);
    const crl = dir.file(`crl-${cert.serial}.der`, await fetchCrl(cert.caId));
    const crlPem = dir.file(`crl-${cert.serial}.pem`);
    opensslResult(['crl', '-inform', 'DER', '-in', crl, '-out', crlPem]);
    const rootCrl = dir.file(`rootcrl-${cert.serial}.der`, await fetchCrl('rsa-root'));
    const rootCrlPem = dir.file(`rootcrl-${cert.serial}.pem`);
    opensslResult(['crl', '-inform', 'DER', '-in', rootCrl, '-out', rootCrlPem]);
    const v = opensslResult(['verify', '-crl_check_all', '-CAfile', f.root, '-untrusted', f.issuing, '-CRLfile', crlPem, '-CRLfile', rootCrlPem, f.leaf]);
    expect(v.out).toContain(': OK');
  });

  it('answers a malformed OCSP request with malformedRequest, not a 500', async () => {
    const res = await fetch(`${p.baseUrl}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from('garbage') });
    expect(res.status).toBe(200);
    const der = Buffer.from(await res.arrayBuffer());
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED 1 (malformedRequest) }
    expect(der.toString('hex')).toBe('30030a0101');
  });

  it('lets exactly one of two concurrent conflicting requests win', async () => {
    const cert = await issue('p256');
    const [a, b] = await Promise.all([
      api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {}),
      api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/revoke`, { reason: 'keyCompromise' }),
    ]);
    const statuses = [a.status, b.status].sort();
    // freeze then revoke is legal, revoke then freeze is not: either both succeed in that order or one loses.
    if (statuses[0] === 200 && statuses[1] === 200) {
      expect(a.body.status).toBe('frozen');
      expect(b.body.status).toBe('revoked');
    } else {
      expect(statuses).toEqual([200, 409]);
    }
    const c2 = await issue('p256');
    const [x, y] = await Promise.all([
      api(p.baseUrl, 'POST', `/api/v1/certificates/${c2.serial}/freeze`, {}),
      api(p.baseUrl, 'POST', `/api/v1/certificates/${c2.serial}/freeze`, {}),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const { rows } = await p.db.query("SELECT count(*)::int AS n FROM cert.certificate_history WHERE serial = $1 AND action = 'freeze'", [c2.serial]);
    expect(rows[0].n).toBe(1);
  });

  it('renews: a new certificate, the old one revoked as superseded', async () => {
    const old = await issue('p256');
    const { csr } = opensslCsr(dir, 'sm2');
    const r = await api(p.baseUrl, 'POST', `/api/v1/certificates/${old.serial}/renew`, { csr });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.serial).not.toBe(old.serial);
    expect(r.body.replaces).toBe(old.serial);
    expect(r.body.unit.uscc).toBe(old.unit.uscc);
    const o = await api(p.baseUrl, 'GET', `/api/v1/certificates/${old.serial}`);
    expect(o.body.status).toBe('revoked');
    expect(o.body.revocationReason).toBe('superseded');
    expect(o.body.replacedBy).toBe(r.body.serial);
    const again = await api(p.baseUrl, 'POST', `/api/v1/certificates/${old.serial}/renew`, { csr: opensslCsr(dir, 'p256').csr });
    expect(again.status).toBe(409);
  });
});

describe('keys revoked for keyCompromise', () => {
  it('refuses a new CSR for the key, in any encoding, on issue and renew, and changes nothing', async () => {
    const victim = await issue('p256');
    const other = await issue('p256');
    const revoked = await api(p.baseUrl, 'POST', `/api/v1/certificates/${victim.serial}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status).toBe(200);
    const again = (key: string) => openssl(['req', '-new', '-key', key, '-subj', '/C=CN/O=ecert test/CN=again', '-sha256']);
    const compressedKey = dir.file(`${victim.serial}-compressed.key`);
    openssl(['ec', '-in', victim.keyPath, '-conv_form', 'compressed', '-out', compressedKey]);
    const before = await certificateCount();
    const requestIds: string[] = [];
    for (const csr of [again(victim.keyPath), again(compressedKey)]) {
      requestIds.push(`req-compromised-${Date.now()}-${requestIds.length}`);
      const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: unit() }, { 'x-request-id': requestIds.at(-1)! });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ code: 'key_compromised', field: 'csr' });
      const renew = await api(p.baseUrl, 'POST', `/api/v1/certificates/${other.serial}/renew`, { csr }, { 'x-request-id': `${requestIds.at(-1)!}-renew` });
      expect(renew.status, JSON.stringify(renew.body)).toBe(400);
      expect(renew.body).toMatchObject({ code: 'key_compromised', field: 'csr' });
    }
    expect(await certificateCount()).toBe(before);
    // Issuance judges the key after signing (the guard): both signatures are recorded as discarded.
    // Renewal judges it before signing: nothing was signed, nothing recorded.
    // The first after signing; the second (the same key, re-encoded) before signing, since that key
    // was just refused; each renewal before signing.
    const recorded = async () => (await p.db.query("SELECT request_id, reason FROM cert.discarded_certificate WHERE request_id LIKE 'req-compromised-%' AND request_id = ANY($1)", [[...requestIds, ...requestIds.map((id) => `${id}-renew`)]])).rows;
    await waitFor(async () => (await recorded()).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await recorded()).toEqual([{ request_id: requestIds[0], reason: 'key_compromised' }]);
    expect((await api(p.baseUrl, 'GET', `/api/v1/certificates/${other.serial}`)).body.status).toBe('active');
    // Revoked for another reason, the key may be certified again (e.g. a unit re-applying after cessation).
    const ceased = await issue('p256');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${ceased.serial}/revoke`, { reason: 'cessationOfOperation' })).status).toBe(200);
    const reuse = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: again(ceased.keyPath), unit: unit() });
    expect(reuse.status, JSON.stringify(reuse.body)).toBe(201);
    const { rows } = await p.db.query('SELECT spki_sha256 FROM cert.certificate WHERE serial = ANY($1)', [[ceased.serial, reuse.body.serial]]);
    expect(rows).toHaveLength(2);
    expect(rows[0].spki_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].spki_sha256).toBe(rows[1].spki_sha256);
  });
});

describe('events reach the other services', () => {
  it('records each certificate event exactly once in the seal-service inbox; the workflow-service follows none', async () => {
    const cert = await issue('p256');
    await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {});
    await waitFor(async () => {
      const { rows } = await p.db.query('SELECT type FROM seal.inbox WHERE aggregate_id = $1', [cert.serial]);
      return rows.length === 2 && rows;
    });
    // Retired (docs/decisions.md): it only recorded them, at ≈ 1.5 ms of CPU per issuance.
    const { rows: followed } = await p.db.query('SELECT 1 FROM workflow.inbox WHERE aggregate_id = $1', [cert.serial]);
    expect(followed).toHaveLength(0);
    const { rows } = await p.db.query('SELECT count(*)::int AS n FROM cert.outbox WHERE aggregate_id = $1 AND published_at IS NOT NULL', [cert.serial]);
    expect(rows[0].n).toBe(2);
  });
});

describe('request ids, OCSP transport details and key confidentiality', () => {
  it('carries the caller request id through NATS into the history and the event', async () => {
    const cert = await issue('p256');
    const requestId = `req-${Date.now()}`;
    const r = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {}, { 'x-request-id': requestId });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe(requestId);
    const { rows: h } = await p.db.query("SELECT request_id FROM cert.certificate_history WHERE serial = $1 AND action = 'freeze'", [cert.serial]);
    expect(h[0].request_id).toBe(requestId);
    const { rows: o } = await p.db.query("SELECT payload FROM cert.outbox WHERE aggregate_id = $1 AND type = 'certificate.frozen'", [cert.serial]);
    expect(o[0].payload.requestId).toBe(requestId);
  });

  it('writes an issuance as the certificate row, its issue history row and its certificate.issued event (version 1), with the caller on each', async () => {
    const requestId = `req-issue-${Date.now()}`;
    const { csr } = opensslCsr(dir, 'p256');
    const u = unit();
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: u }, { 'x-request-id': requestId });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const serial = r.body.serial as string;
    const { rows: c } = await p.db.query('SELECT status, uscc, account_no, platform_held, version, created_at, der, spki_sha256 FROM cert.certificate WHERE serial = $1', [serial]);
    expect(c[0]).toMatchObject({ status: 'active', uscc: u.uscc, account_no: u.accountNo, platform_held: false, version: 1 });
    expect(Buffer.from(c[0].der).equals(pemToDer(r.body.certificatePem))).toBe(true);
    expect(c[0].spki_sha256).toMatch(/^[0-9a-f]{64}$/);
    const { rows: h } = await p.db.query('SELECT action, from_status, to_status, request_id, client_id, actor FROM cert.certificate_history WHERE serial = $1', [serial]);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ action: 'issue', from_status: null, to_status: 'active', request_id: requestId });
    expect(h[0].client_id ?? h[0].actor).toBeTruthy();
    const { rows: o } = await p.db.query("SELECT subject, payload FROM cert.outbox WHERE aggregate_id = $1 AND type = 'certificate.issued'", [serial]);
    expect(o).toHaveLength(1);
    expect(o[0].subject).toMatch(/certificate\.issued$/);
    expect(o[0].payload).toMatchObject({ type: 'certificate.issued', aggregateId: serial, requestId, data: { serial, status: 'active', version: 1, uscc: u.uscc } });
  });

  it('answers GET /pki/ocsp/{base64} and echoes the nonce openssl sends', async () => {
    const cert = await issue('p256');
    const f = writeChain(cert);
    const req = dir.file(`get-${cert.serial}.der`);
    opensslResult(['ocsp', '-issuer', f.issuing, '-cert', f.leaf, '-no_nonce', '-reqout', req]);
    const b64 = encodeURIComponent(readFileSync(req).toString('base64'));
    const res = await fetch(`${p.baseUrl}/pki/ocsp/${b64}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    // No HTTP cache between us and a relying party may keep a "good" past a freeze.
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(`${p.baseUrl}/pki/ocsp/${b64}`); // now from the gateway's own cache
    expect(again.headers.get('cache-control')).toBe('no-cache');
    await again.arrayBuffer();
    const resp = dir.file(`get-${cert.serial}.resp`, Buffer.from(await res.arrayBuffer()));
    const bundle = dir.file(`get-bundle-${cert.serial}.pem`, readFileSync(f.root, 'utf8') + readFileSync(f.issuing, 'utf8'));
    const text = opensslResult(['ocsp', '-respin', resp, '-issuer', f.issuing, '-cert', f.leaf, '-CAfile', bundle, '-resp_text']).out;
    expect(text).toContain('Response verify OK');
    expect(text).toMatch(/: good/);
    expect(text).toContain('Next Update');
    // With a nonce (openssl's default), a mismatch would make openssl print a WARNING.
    const withNonce = await ocsp(f);
    expect(withNonce.out).toContain('Response verify OK');
    expect(withNonce.out).not.toMatch(/WARNING: no nonce|nonce verify error/i);
    expect(withNonce.out).toContain('OCSP Nonce');
  });

  it('never shows private key material in responses or events', async () => {
    const cas = await api(p.baseUrl, 'GET', '/pki/ca');
    expect(cas.status).toBe(200);
    expect(cas.body.length).toBe(12);
    const list = await api(p.baseUrl, 'GET', '/api/v1/certificates?pageSize=100');
    const { rows } = await p.db.query('SELECT payload::text AS t FROM cert.outbox');
    const everything = JSON.stringify(cas.body) + JSON.stringify(list.body) + rows.map((r) => r.t).join('');
    expect(everything).not.toMatch(/PRIVATE KEY|privateKey|pkcs8/i);
    const { rows: blobs } = await p.db.query('SELECT blob FROM cert.ca_key_blob');
    expect(blobs.length).toBeGreaterThan(0);
    for (const b of blobs) expect(Buffer.from(b.blob).toString('latin1')).not.toContain('PRIVATE KEY');
  });
});
