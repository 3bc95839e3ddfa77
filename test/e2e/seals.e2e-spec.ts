import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pngjs from 'pngjs';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, eventSubject, type DomainEvent, type SealVerificationView, type SealView } from '@ecert/contracts';
import { connectNats } from '@ecert/messaging';
import { OID, decodePem, sm2PrivateKeyFromPkcs8 } from '@ecert/pki';
import { buildSesSignatureV4, decodeSeal, encodeSeal, parseCertificate, verifySeal } from '@ecert/ses';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { makeResidentId, makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, defaultHeaders, waitFor } from '../support/http';
import { sm2PublicKeyHex, sm2VerifyIndependently } from '../support/signed-structure';
import { blankPng, opaquePng, scanJpeg, sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { SEAL_CERTIFICATE_CONSUMER } from '../../apps/seal-service/src/certificate-events/certificate-events.listener';

let p: TestPlatform;
const dir = new TempDir();
const SEAL_PNG = sealPng(240, 20).toString('base64');

beforeAll(async () => {
  p = await startTestPlatform();
});

afterAll(async () => {
  await p?.close();
  dir.remove();
});

interface Cert {
  serial: string;
  status: string;
  notAfter: string;
  certificatePem: string;
  chainPem: string[];
  keyPath: string;
  unit: { uscc: string };
}

async function issueUnit(kind: 'sm2' | 'p256' = 'sm2', uscc = makeUscc()): Promise<Cert> {
  const { csr, keyPath } = opensslCsr(dir, kind);
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: '南宁市某某科技有限公司', uscc, regionCode: '450100', accountNo: '4501000001' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...r.body, keyPath };
}

async function issuePersonal(uscc = makeUscc()): Promise<Cert & { idNumber: string }> {
  const { csr, keyPath } = opensslCsr(dir, 'p256');
  const idNumber = makeResidentId();
  const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', {
    profile: 'personal',
    csr,
    unit: { name: '南宁市某某科技有限公司', uscc, regionCode: '450100', accountNo: '4501000001' },
    person: { name: '张三', idNumber },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...r.body, keyPath, idNumber };
}

function sealRequest(cert: { serial: string }, extra: Record<string, unknown> = {}) {
  return { kind: 'official', name: '南宁市某某科技有限公司', image: SEAL_PNG, widthMm: 42, heightMm: 42, certificateSerial: cert.serial, ...extra };
}

async function createSeal(cert: { serial: string }, extra: Record<string, unknown> = {}): Promise<SealView> {
  const r = await api<SealView>(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert, extra));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** Binary requests with the same credentials api() sends (api() reads bodies as text). */
async function binary(method: string, path: string, body?: Buffer, contentType?: string): Promise<{ status: number; type: string | null; bytes: Buffer; json?: any }> {
  const res = await fetch(p.baseUrl + path, {
    method,
    headers: { ...defaultHeaders, ...(contentType ? { 'content-type': contentType } : {}) },
    body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type');
  return { status: res.status, type, bytes, ...(type?.includes('json') ? { json: JSON.parse(bytes.toString('utf8')) } : {}) };
}

async function esl(id: string): Promise<Buffer> {
  const r = await binary('GET', `/api/v1/seals/${id}.esl`);
  expect(r.status).toBe(200);
  expect(r.type).toContain('application/octet-stream');
  return r.bytes;
}

async function caDer(caId: string): Promise<Uint8Array> {
  const r = await fetch(`${p.baseUrl}/pki/ca/${caId}.crt`);
  expect(r.status).toBe(200);
  return new Uint8Array(await r.arrayBuffer());
}

const pemDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

async function counts(): Promise<{ seals: number; images: number; outbox: number }> {
  const { rows } = await p.db.query(
    'SELECT (SELECT count(*)::int FROM seal.seal) AS seals, (SELECT count(*)::int FROM seal.seal_image) AS images, (SELECT count(*)::int FROM seal.outbox) AS outbox',
  );
  return rows[0];
}

async function sealStatus(id: string): Promise<string> {
  return (await api<SealView>(p.baseUrl, 'GET', `/api/v1/seals/${id}`)).body.status;
}

describe('making a seal', () => {
  it('makes a v4 official seal bound to an SM2 unit certificate; the .esl verifies against the SM2 root', async () => {
    const cert = await issueUnit('sm2');
    const seal = await createSeal(cert);
    expect(seal).toMatchObject({
      kind: 'official',
      typeCode: 1,
      status: 'active',
      additional: false,
      name: '南宁市某某科技有限公司',
      unit: { uscc: cert.unit.uscc, regionCode: '450100' },
      certificate: { serial: cert.serial, profile: 'unit', notAfter: cert.notAfter },
      image: { widthMm: 42, heightMm: 42, source: 'upload' },
      validTo: cert.notAfter,
    });
    // stored picture: cropped to the drawing (240 px seal in a 280 px canvas)
    expect(seal.image.widthPx).toBeGreaterThanOrEqual(238);
    expect(seal.image.widthPx).toBeLessThanOrEqual(244);
    expect((await api(p.baseUrl, 'GET', `/api/v1/seals/${seal.id}`)).body).toEqual(seal);

    const der = await esl(seal.id);
    expect(createHash('sha256').update(der).digest('hex')).toBe(seal.sha256);
    expect(der.length).toBe(seal.bytes);
    const decoded = decodeSeal(der);
    expect(decoded.version).toBe(4);
    expect(decoded.sealInfo.header).toEqual({ id: 'ES', version: 4, vendorId: 'ECERT' });
    expect(decoded.sealInfo.esId).toBe(seal.esId);
    expect(decoded.sealInfo.property).toMatchObject({ type: 1, name: seal.name });
    expect(decoded.sealInfo.property.validEnd.toISOString()).toBe(cert.notAfter);
    const list = decoded.sealInfo.property.certList;
    expect(list.type).toBe(1);
    expect(list.type === 1 && Buffer.from(list.certs[0]!).equals(Buffer.from(pemDer(cert.certificatePem)))).toBe(true);
    expect(decoded.sealInfo.picture).toMatchObject({ type: 'PNG', widthMm: 42, heightMm: 42 });
    expect(Buffer.from(encodeSeal(decoded)).equals(der)).toBe(true);
    expect(parseCertificate(decoded.cert).subject).toContain('Seal Maker');
    expect(decoded.signatureAlgorithmOid).toBe(OID.sm2WithSm3);

    // libs/ses verification against ecert's SM2 root (issuing CA as intermediate)
    const sm2Root = await caDer('sm2-root');
    const sm2Issuing = await caDer('sm2-issuing');
    const report = await verifySeal(der, { trustAnchors: [sm2Root], intermediates: [sm2Issuing] });
    expect(report.indication, JSON.stringify(report.checks)).toBe('TOTAL_PASSED');
    expect(report.checks.find((c) => c.name === 'maker-certificate')?.result).toBe('passed');
    // the maker signature checked by an independent SM2 implementation too
    expect(sm2VerifyIndependently(Buffer.from(decoded.sealInfoDer), Buffer.from(decoded.signature), sm2PublicKeyHex(decoded.cert))).toBe(true);
    // another root is not a path: indeterminate, not passed
    const other = await verifySeal(der, { trustAnchors: [await caDer('ecdsa-root')], intermediates: [sm2Issuing] });
    expect(other.checks.find((c) => c.name === 'maker-certificate')?.result).toBe('indeterminate');

    const picture = await binary('GET', `/api/v1/seals/${seal.id}/image.png`);
    expect(picture.type).toContain('image/png');
    const png = pngjs.PNG.sync.read(picture.bytes);
    expect([png.width, png.height]).toEqual([seal.image.widthPx, seal.image.heightPx]);
    expect(Buffer.from(decoded.sealInfo.picture.data).equals(picture.bytes)).toBe(true);
  });

  it('draws the picture from the name when asked (generateImage): round 42 mm and oval 45×30 mm', async () => {
    const cert = await issueUnit('sm2');
    const seal = await createSeal(cert, { image: undefined, generateImage: { centerText: '合同专用章', bottomText: '4501030012345' } });
    // 42 mm at 10 px/mm, cropped by the upload normaliser to the ring
    expect(seal.image).toMatchObject({ widthMm: 42, heightMm: 42 });
    expect(Math.abs(seal.image.widthPx - 420)).toBeLessThanOrEqual(2);
    const decoded = decodeSeal(await esl(seal.id));
    expect(decoded.sealInfo.picture).toMatchObject({ type: 'PNG', widthMm: 42, heightMm: 42 });
    const data = Buffer.from(decoded.sealInfo.picture.data);
    expect(data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const png = pngjs.PNG.sync.read(data);
    expect([png.width, png.height]).toEqual([seal.image.widthPx, seal.image.heightPx]);
    expect(png.data[3]).toBe(0); // transparent corner
    expect(Buffer.from(decoded.sealInfo.picture.data).equals((await binary('GET', `/api/v1/seals/${seal.id}/image.png`)).bytes)).toBe(true);

    const oval = await createSeal(cert, { kind: 'special', purpose: 'finance', image: undefined, widthMm: 45, heightMm: 30, generateImage: { centerText: '财务专用章' } });
    expect(oval.image).toMatchObject({ widthMm: 45, heightMm: 30 });
    expect(Math.abs(oval.image.widthPx / oval.image.heightPx - 1.5)).toBeLessThan(0.05);
  });

  it('binds special seals with their purpose, and position/personal seals to personal certificates (P-256)', async () => {
    const unit = await issueUnit('p256');
    const contract = await createSeal(unit, { kind: 'special', purpose: 'contract', name: '合同专用章' });
    expect(contract).toMatchObject({ kind: 'special', purpose: 'contract', typeCode: 4 });
    const finance = await createSeal(unit, { kind: 'special', purpose: 'finance', name: '财务专用章' });
    expect(finance.typeCode).toBe(2);
    const dept = await createSeal(unit, { kind: 'department', name: '人事部' });
    expect(dept.typeCode).toBe(6);

    const person = await issuePersonal(unit.unit.uscc);
    const position = await createSeal(person, { kind: 'position', name: '法定代表人 张三', widthMm: 20, heightMm: 20 });
    expect(position).toMatchObject({ kind: 'position', certificate: { profile: 'personal' }, unit: { uscc: unit.unit.uscc } });
    const personal = await createSeal(person, { kind: 'personal', name: '张三', widthMm: 18, heightMm: 18 });
    const der = await esl(personal.id);
    const report = await verifySeal(der, { trustAnchors: [await caDer('sm2-root')], intermediates: [await caDer('sm2-issuing')] });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.type).toBe(22);
    // The seals embed the personal certificate, which carries the salted hash, not the number.
    for (const id of [personal.id, position.id]) expect((await esl(id)).includes(Buffer.from(person.idNumber))).toBe(false);
  });

  it('allows one official seal per unit unless additional with a reason', async () => {
    const cert = await issueUnit('sm2');
    const first = await createSeal(cert);
    const before = await counts();
    const second = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert));
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'official_seal_exists', field: 'additional', existingSealId: first.id });
    const noReason = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert, { additional: true }));
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    expect(await counts()).toEqual(before);
    const extra = await createSeal(cert, { additional: true, reason: '异地分支机构办理社保业务' });
    expect(extra).toMatchObject({ additional: true, additionalReason: '异地分支机构办理社保业务' });
  });

  it('settles two concurrent official seals for one unit: one wins', async () => {
    const uscc = makeUscc();
    const [a, b] = await Promise.all([issueUnit('sm2', uscc), issueUnit('p256', uscc)]);
    const results = await Promise.all([a, b, a, b].map((c) => api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(c))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('official_seal_exists');
    const { rows } = await p.db.query("SELECT count(*)::int AS n FROM seal.seal WHERE uscc = $1 AND kind = 'official'", [uscc]);
    expect(rows[0].n).toBe(1);
    // the database itself refuses a second live official seal, whoever writes it
    const copy = p.db.query(
      `INSERT INTO seal.seal SELECT gen_random_uuid(), es_id || 'x', kind, purpose, type_code, name, status, status_reason, status_changed_at, additional,
         additional_reason, uscc, unit_name, region_code, certificate_serial, certificate_profile, certificate_not_after, image_id, valid_from, valid_to,
         der, der_sha256, der_bytes, NULL, NULL, created_by, created_at, updated_at FROM seal.seal WHERE uscc = $1`,
      [uscc],
    );
    await expect(copy).rejects.toMatchObject({ code: '23505', constraint: 'seal_one_official_per_unit' });
  });

  it('lists seals by unit, kind and status, paginated', async () => {
    const cert = await issueUnit('p256');
    await createSeal(cert);
    await createSeal(cert, { kind: 'special', purpose: 'invoice', name: '发票专用章' });
    await createSeal(cert, { kind: 'branch', name: '某某分公司' });
    const all = await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${cert.unit.uscc}`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, pageSize: 20 });
    const special = await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${cert.unit.uscc}&kind=special`);
    expect(special.body.items.map((s: SealView) => s.purpose)).toEqual(['invoice']);
    const paged = await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${cert.unit.uscc}&status=active&pageSize=2&page=2`);
    expect(paged.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(paged.body.items).toHaveLength(1);
    expect((await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${cert.unit.uscc}&status=revoked`)).body.total).toBe(0);
    const bad = await api(p.baseUrl, 'GET', '/api/v1/seals?kind=stamp');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('kind');
  });
});

describe('access', () => {
  it('keeps a client to its regions and its granted operations', async () => {
    const cert = await issueUnit('p256'); // region 450100
    const seal = await createSeal(cert);
    const clients = p.gateway!.get(ClientsService);
    const { apiKey: shandong } = await clients.register({ name: 'Shandong HRSS', department: 'tests', operations: ['seals:read', 'seals:create', 'seals:verify'], regionCodes: ['370000'] });
    const { apiKey: reader } = await clients.register({ name: 'reader', department: 'tests', operations: ['seals:read'] });
    const as = (key: string) => ({ 'x-api-key': key });
    expect((await api(p.baseUrl, 'GET', `/api/v1/seals/${seal.id}`, undefined, as(shandong))).status).toBe(403);
    expect((await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${cert.unit.uscc}`, undefined, as(shandong))).body.total).toBe(0);
    const bind = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert, { kind: 'branch', name: '分公司' }), as(shandong));
    expect(bind.status).toBe(403);
    expect((await api(p.baseUrl, 'GET', `/api/v1/seals/${seal.id}`, undefined, as(reader))).status).toBe(200);
    expect((await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert, { kind: 'branch', name: '分公司' }), as(reader))).status).toBe(403);
    expect((await api(p.baseUrl, 'GET', '/api/v1/seals', undefined, { 'x-api-key': 'nope' })).status).toBe(401);
  });
});

describe('API description', () => {
  it('documents the seal endpoints in OpenAPI', async () => {
    const r = await fetch(`${p.baseUrl}/api/docs-json`, { headers: defaultHeaders });
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/v1/seals', '/api/v1/seals/verify', '/api/v1/seals/images/extract', '/api/v1/seals/{id}', '/api/v1/seals/{id}.esl', '/api/v1/seals/{id}/image.png']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/seals']!)).toEqual(expect.arrayContaining(['get', 'post']));
  });
});

describe('seal pictures from scans', () => {
  it('extracts the red impression from a JPEG scan (JSON and raw upload) and makes a seal with it', async () => {
    // The gateway takes JSON bodies up to 64 KiB: a light scan in JSON, a noisier one as a raw upload.
    const scan = scanJpeg({ seed: 5, noise: 10, quality: 75 });
    const r = await api(p.baseUrl, 'POST', '/api/v1/seals/images/extract', { image: scan.jpeg.toString('base64'), dpi: 300 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.widthPx).toBeGreaterThanOrEqual(198);
    expect(r.body.widthPx).toBeLessThanOrEqual(212);
    expect(r.body).toMatchObject({ dpi: 300, dpiSource: 'request' });
    const png = pngjs.PNG.sync.read(Buffer.from(r.body.png, 'base64'));
    expect(png.data[3]).toBe(0); // paper corner transparent

    const noisy = scanJpeg({ seed: 5, noise: 20, quality: 90 });
    expect(noisy.jpeg.length).toBeGreaterThan(64 * 1024);
    const raw = await binary('POST', '/api/v1/seals/images/extract?dpi=600', noisy.jpeg, 'image/jpeg');
    expect(raw.status, raw.bytes.toString()).toBe(200);
    expect(raw.json).toMatchObject({ dpi: 600, dpiSource: 'request' });
    expect(Math.abs(raw.json.widthPx - r.body.widthPx)).toBeLessThanOrEqual(4);

    const cert = await issueUnit('sm2');
    const seal = await createSeal(cert, { kind: 'special', purpose: 'customs', name: '报关专用章', image: r.body.png, widthMm: r.body.widthMm, heightMm: r.body.heightMm });
    expect(seal.image).toMatchObject({ widthMm: r.body.widthMm, heightMm: r.body.heightMm });

    const blank = await api(p.baseUrl, 'POST', '/api/v1/seals/images/extract', { image: scanJpeg({ stamp: false, noise: 10, quality: 75 }).jpeg.toString('base64') });
    expect(blank.status).toBe(400);
    expect(blank.body).toMatchObject({ code: 'image_empty', field: 'image' });
  });
});

describe('bad input: a clear 4xx, nothing stored', () => {
  it('refuses bad pictures, kinds and bindings', async () => {
    const unit = await issueUnit('p256');
    const person = await issuePersonal();
    const frozen = await issueUnit('p256');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${frozen.serial}/freeze`, {})).status).toBe(200);
    const revoked = await issueUnit('p256');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${revoked.serial}/revoke`, { reason: 'cessationOfOperation' })).status).toBe(200);
    const corrupt = Buffer.from(sealPng(100, 10));
    corrupt.fill(0x41, 60, 120);

    const cases: [string, Record<string, unknown>, number, string, string][] = [
      ['JPEG instead of PNG', { image: scanJpeg({ noise: 10, quality: 75 }).jpeg.toString('base64') }, 400, 'image_format_unsupported', 'image'],
      ['not a picture', { image: Buffer.from('just some text, not a PNG').toString('base64') }, 400, 'image_format_unsupported', 'image'],
      ['corrupt PNG', { image: corrupt.toString('base64') }, 400, 'image_corrupt', 'image'],
      ['far too large', { image: blankPng(6000, 20).toString('base64') }, 400, 'image_too_large', 'image'],
      ['blank', { image: blankPng().toString('base64') }, 400, 'image_empty', 'image'],
      ['opaque background', { image: opaquePng().toString('base64') }, 400, 'image_not_transparent', 'image'],
      ['not base64', { image: '***not base64***' }, 400, 'validation_failed', 'image'],
      ['distorted size', { widthMm: 60, heightMm: 30 }, 400, 'image_size_mismatch', 'widthMm'],
      ['neither image nor generateImage', { image: undefined }, 400, 'validation_failed', 'image'],
      ['both image and generateImage', { generateImage: { centerText: '合同专用章' } }, 400, 'validation_failed', 'generateImage'],
      ['generateImage not an object', { image: undefined, generateImage: 'yes' }, 400, 'validation_failed', 'generateImage'],
      ['unknown kind', { kind: 'stamp' }, 400, 'validation_failed', 'kind'],
      ['special without purpose', { kind: 'special' }, 400, 'validation_failed', 'purpose'],
      ['purpose on official', { purpose: 'contract' }, 400, 'validation_failed', 'purpose'],
      ['size out of range', { widthMm: 500 }, 400, 'validation_failed', 'widthMm'],
      ['official on personal certificate', { certificateSerial: person.serial }, 422, 'seal_binding_invalid', 'certificateSerial'],
      ['personal seal on unit certificate', { kind: 'personal', certificateSerial: unit.serial }, 422, 'seal_binding_invalid', 'certificateSerial'],
      ['unknown certificate', { certificateSerial: 'ab'.repeat(16) }, 422, 'certificate_not_found', 'certificateSerial'],
      ['frozen certificate', { certificateSerial: frozen.serial }, 422, 'certificate_not_active', 'certificateSerial'],
      ['revoked certificate', { certificateSerial: revoked.serial }, 422, 'certificate_not_active', 'certificateSerial'],
      ['validTo past the certificate', { validTo: '2099-01-01T00:00:00Z' }, 400, 'validation_failed', 'validTo'],
    ];
    const before = await counts();
    for (const [what, change, status, code, field] of cases) {
      const r = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(unit, change));
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.headers.get('content-type'), what).toContain('application/problem+json');
      expect(r.body, what).toMatchObject({ code, field });
    }
    expect(await counts()).toEqual(before);
    const officials = await p.db.query('SELECT count(*)::int AS n FROM seal.seal WHERE certificate_serial = ANY($1)', [[unit.serial, person.serial, frozen.serial, revoked.serial]]);
    expect(officials.rows[0].n).toBe(0);
  });

  it('refuses a seal when the stream reported a freeze after the cert-service answered (create vs freeze race)', async () => {
    const cert = await issueUnit('p256');
    // what the consumer records when a freeze event arrives while a creation is in flight
    await p.db.query(
      `INSERT INTO seal.certificate_state (serial, status, event_id, event_type, occurred_at) VALUES ($1, 'frozen', gen_random_uuid(), 'certificate.frozen', now() + interval '1 minute')
       ON CONFLICT (serial) DO UPDATE SET status = 'frozen', event_type = 'certificate.frozen', occurred_at = now() + interval '1 minute'`,
      [cert.serial],
    );
    const before = await counts();
    const r = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'certificate_not_active', field: 'certificateSerial', certificateStatus: 'frozen' });
    expect(await counts()).toEqual(before);
    // an older record does not override the cert-service's newer answer
    await p.db.query(`UPDATE seal.certificate_state SET occurred_at = now() - interval '1 hour' WHERE serial = $1`, [cert.serial]);
    await createSeal(cert);
  });

  it('refuses garbage and truncated data to verify, and unknown seals', async () => {
    const seal = await createSeal(await issueUnit('sm2'));
    const der = await esl(seal.id);
    const cases: [string, unknown, string][] = [
      ['garbage', { data: Buffer.from('garbage garbage garbage').toString('base64') }, 'seal_data_malformed'],
      ['truncated seal', { data: der.subarray(0, der.length - 100).toString('base64') }, 'seal_data_malformed'],
      ['seal with a trailing byte', { data: Buffer.concat([der, Buffer.from([0])]).toString('base64') }, 'seal_data_malformed'],
      ['a certificate, not a seal', { data: Buffer.from(await caDer('sm2-root')).toString('base64') }, 'seal_data_malformed'],
      ['not base64', { data: '%%%' }, 'validation_failed'],
      ['empty', { data: '' }, 'validation_failed'],
    ];
    for (const [what, body, code] of cases) {
      const r = await api(p.baseUrl, 'POST', '/api/v1/seals/verify', body);
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body, what).toMatchObject({ code, field: 'data' });
    }
    const raw = await binary('POST', '/api/v1/seals/verify', der.subarray(0, 50), 'application/octet-stream');
    expect(raw.status).toBe(400);
    expect(raw.json).toMatchObject({ code: 'seal_data_malformed', field: 'data' });

    const missing = await api(p.baseUrl, 'GET', '/api/v1/seals/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('seal_not_found');
    expect((await binary('GET', '/api/v1/seals/00000000-0000-4000-8000-000000000000.esl')).status).toBe(404);
    expect((await api(p.baseUrl, 'GET', '/api/v1/seals/not-a-uuid')).status).toBe(404);
  });
});

describe('verification through the API', () => {
  it('reports on an ecert seal (JSON and raw DER) and on an SES_Signature made with the unit key', async () => {
    const cert = await issueUnit('sm2');
    const seal = await createSeal(cert);
    const der = await esl(seal.id);

    const r = await api<SealVerificationView>(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: der.toString('base64') });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      kind: 'seal',
      indication: 'TOTAL_PASSED',
      seal: {
        indication: 'TOTAL_PASSED',
        version: 4,
        type: 1,
        name: seal.name,
        esId: seal.esId,
        vendorId: 'ECERT',
        validity: { validEnd: cert.notAfter },
        chain: { name: 'maker-certificate', result: 'passed' },
        ecert: { sealId: seal.id, sealStatus: 'active', certificateSerial: cert.serial, certificateStatus: 'active' },
      },
    });
    expect(r.body.seal.maker?.subject).toContain('Seal Maker');
    expect(r.body.trustAnchors.some((s) => s.includes('SM2 Root CA'))).toBe(true);
    expect(r.body.seal.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['format', 'maker-signature', 'maker-certificate', 'validity-period', 'picture']));

    const raw = await binary('POST', '/api/v1/seals/verify', der, 'application/octet-stream');
    expect(raw.status).toBe(200);
    expect(raw.json).toMatchObject({ kind: 'seal', indication: 'TOTAL_PASSED' });

    // a seal with one flipped byte in its name: the maker signature fails, and it is not "ecert's" seal
    const forged = Buffer.from(der);
    const at = forged.indexOf(Buffer.from('某某', 'utf8'));
    forged[at + 2] ^= 0x01;
    const bad = await api<SealVerificationView>(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: forged.toString('base64') });
    expect(bad.status).toBe(200);
    expect(bad.body.indication).toBe('TOTAL_FAILED');
    expect(bad.body.seal.checks.find((c) => c.name === 'maker-signature')?.result).toBe('failed');
    expect(bad.body.seal.ecert).toBeUndefined();

    // the unit signs a document with its UKey key: an SES_Signature embedding the seal
    const key = sm2PrivateKeyFromPkcs8(decodePem(readFileSync(cert.keyPath, 'utf8'), 'PRIVATE KEY').der);
    const certDer = pemDer(cert.certificatePem);
    const document = Buffer.from('<Signature>社会保险费申报表 2026-11</Signature>');
    const signature = await buildSesSignatureV4({
      seal: der,
      signerCertificate: certDer,
      signer: { algorithm: 'SM2', signatureAlgorithmOid: OID.sm2WithSm3, spki: parseCertificate(certDer).spki, sign: async (d) => key.sign(d) },
      document,
      propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml',
    });
    const s = await api<SealVerificationView>(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: Buffer.from(signature).toString('base64'), document: document.toString('base64') });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body).toMatchObject({
      kind: 'signature',
      indication: 'TOTAL_PASSED',
      seal: { indication: 'TOTAL_PASSED', esId: seal.esId, ecert: { sealId: seal.id } },
      signature: { version: 4, documentChecked: true, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml', chain: { result: 'passed' } },
    });
    expect(s.body.signature!.checks.find((c) => c.name === 'data-hash')?.result).toBe('passed');
    expect(s.body.signature!.checks.find((c) => c.name === 'signer-bound-to-seal')?.result).toBe('passed');
    const changed = await api<SealVerificationView>(p.baseUrl, 'POST', '/api/v1/seals/verify', {
      data: Buffer.from(signature).toString('base64'),
      document: Buffer.from('<Signature>社会保险费申报表 2026-12</Signature>').toString('base64'),
    });
    expect(changed.body.indication).toBe('TOTAL_FAILED');
    expect(changed.body.signature!.checks.find((c) => c.name === 'data-hash')?.result).toBe('failed');
  });
});

describe('seals follow their certificate', () => {
  it('freeze → suspended, unfreeze → active, renew → successor + retired, revoke → revoked; replays change nothing', async () => {
    const cert = await issueUnit('sm2');
    const official = await createSeal(cert);
    const contract = await createSeal(cert, { kind: 'special', purpose: 'contract', name: '合同专用章' });
    const ids = [official.id, contract.id];
    const statuses = async () => Promise.all(ids.map(sealStatus));

    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, { comment: '挂失' })).status).toBe(200);
    await waitFor(async () => (await statuses()).every((s) => s === 'suspended'));
    const suspended = await api<SealView>(p.baseUrl, 'GET', `/api/v1/seals/${official.id}`);
    expect(suspended.body.statusReason).toContain('frozen');
    const report = await api<SealVerificationView>(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: (await esl(official.id)).toString('base64') });
    expect(report.body.seal.ecert).toMatchObject({ sealStatus: 'suspended', certificateStatus: 'frozen' });
    // while the certificate is frozen no new seal binds to it
    expect((await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest(cert, { kind: 'branch', name: '分公司' }))).body.code).toBe('certificate_not_active');

    // replay the freeze event exactly as it was delivered: the inbox skips it
    const { rows: inbox } = await p.db.query("SELECT payload FROM seal.inbox WHERE type = 'certificate.frozen' AND aggregate_id = $1", [cert.serial]);
    expect(inbox).toHaveLength(1);
    const snapshot = await sealSnapshot(ids);
    await replay(inbox[0].payload as DomainEvent);
    expect(await sealSnapshot(ids)).toEqual(snapshot);

    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/unfreeze`, {})).status).toBe(200);
    await waitFor(async () => (await statuses()).every((s) => s === 'active'));

    // renewal: a successor for the new certificate, the old seal retired
    const { csr } = opensslCsr(dir, 'sm2');
    const renewed = await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/renew`, { csr });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(201);
    const newSerial: string = renewed.body.serial;
    const successors = await waitFor(async () => {
      const r = await api(p.baseUrl, 'GET', `/api/v1/seals?certificateSerial=${newSerial}`);
      return r.body.total === 2 ? (r.body.items as SealView[]) : undefined;
    });
    for (const old of [official, contract]) {
      const now = (await api<SealView>(p.baseUrl, 'GET', `/api/v1/seals/${old.id}`)).body;
      expect(now.status).toBe('retired');
      const next = successors.find((s) => s.id === now.replacedBy)!;
      expect(next).toMatchObject({ kind: old.kind, name: old.name, status: 'active', replaces: old.id, additional: false, certificate: { serial: newSerial } });
      expect(next.image.sha256).toBe(old.image.sha256);
      expect(next.validTo).toBe(renewed.body.notAfter);
      const d = decodeSeal(await esl(next.id));
      const list = d.sealInfo.property.certList;
      expect(list.type === 1 && Buffer.from(list.certs[0]!).equals(Buffer.from(pemDer(renewed.body.certificatePem)))).toBe(true);
      expect((await verifySeal(d, { trustAnchors: [await caDer('sm2-root')], intermediates: [await caDer('sm2-issuing')] })).indication).toBe('TOTAL_PASSED');
    }
    // the successor is the unit's one official seal now
    const again = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest({ serial: newSerial }));
    expect(again.body.code).toBe('official_seal_exists');

    // the same renewal delivered again under a new event id (a duplicate from upstream): no third seal
    const { rows: renewedEvents } = await p.db.query("SELECT payload FROM seal.inbox WHERE type = 'certificate.renewed' AND aggregate_id = $1", [newSerial]);
    expect(renewedEvents).toHaveLength(1);
    const beforeDuplicate = await counts();
    const { rows: inboxBefore } = await p.db.query('SELECT count(*)::int AS n FROM seal.inbox');
    const duplicate = { ...(renewedEvents[0].payload as DomainEvent), id: '00000000-0000-4000-8000-' + Date.now().toString(16).padStart(12, '0').slice(-12) };
    await replay(duplicate);
    const { rows: inboxAfter } = await p.db.query('SELECT count(*)::int AS n FROM seal.inbox');
    expect(inboxAfter[0].n).toBe(inboxBefore[0].n + 1); // it was applied (new id) …
    expect(await counts()).toEqual(beforeDuplicate); // … and changed nothing

    // revocation of the new certificate revokes its seals; the retired ones stay retired
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${newSerial}/revoke`, { reason: 'cessationOfOperation' })).status).toBe(200);
    await waitFor(async () => (await Promise.all(successors.map((s) => sealStatus(s.id)))).every((s) => s === 'revoked'));
    expect(await statuses()).toEqual(['retired', 'retired']);
    const revokedList = await api(p.baseUrl, 'GET', `/api/v1/seals?uscc=${cert.unit.uscc}&status=revoked`);
    expect(revokedList.body.total).toBe(2);
    const { rows: history } = await p.db.query('SELECT action FROM seal.seal_history WHERE seal_id = $1 ORDER BY id', [official.id]);
    expect(history.map((h: { action: string }) => h.action)).toEqual(['create', 'suspend', 'reactivate', 'retire']);
  });
});

/** What an event may change about seals: rows, statuses, timestamps, history, outbox. */
async function sealSnapshot(ids: string[]) {
  const { rows } = await p.db.query('SELECT id, status, status_reason, updated_at, replaced_by FROM seal.seal WHERE id = ANY($1) ORDER BY id', [ids]);
  const { rows: h } = await p.db.query('SELECT count(*)::int AS n FROM seal.seal_history');
  return { rows, history: h[0].n, ...(await counts()) };
}

/**
 * Puts an event on the stream again (no Nats-Msg-Id, so the stream's duplicate window does not
 * drop it) and waits until the seal-service's durable consumer has acknowledged it.
 */
async function replay(event: DomainEvent): Promise<void> {
  const nc = await connectNats(p.config.NATS_URL, 'seal-test-replay');
  try {
    const ack = await jetstream(nc).publish(eventSubject(event.type), JSON.stringify(event));
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => {
      const info = await jsm.consumers.info(EVENTS_STREAM, SEAL_CERTIFICATE_CONSUMER);
      return info.ack_floor.stream_seq >= ack.seq && info.num_ack_pending === 0;
    });
  } finally {
    await nc.close();
  }
}
