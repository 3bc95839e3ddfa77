import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  EVENT_SIGNATURE_HEADER,
  EVENT_SIGNER_HEADER,
  EVENTS_STREAM,
  eventSubject,
  Subjects,
  type DomainEvent,
  type SealMakerSignCommand,
  type SealVerificationView,
  type SealView,
} from '@ecert/contracts';
import { NATIONAL_SCOPE, requestContext } from '@ecert/common';
import { BusIdentity, connectNats } from '@ecert/messaging';
import { OID, PROFILE_OID, buildCertificate, buildName, certificateProfiles, decodePem, encodePem, extendedKeyUsageOf, issuerFromCertificate, newSerialNumber, sm2PrivateKeyFromPkcs8, type Signer } from '@ecert/pki';
import {
  buildSesSignatureV4,
  decodeSeal,
  encodeSeal,
  encodeSealToBeSigned,
  parseCertificate,
  verifySeal,
  type SealMakerTrustList,
  type SesSealInfo,
} from '@ecert/ses';
import { asNationalOperator, startTestPlatform, type TestPlatform } from '../support/test-platform';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { makeResidentId, makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, defaultHeaders, waitFor } from '../support/http';
import { sm2PublicKeyHex, sm2VerifyIndependently } from '../support/signed-structure';
import { blankPng, opaquePng, scanJpeg, sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { SEAL_CERTIFICATE_CONSUMER } from '../../apps/seal-service/src/certificate-events/certificate-events.listener';
import { CertServiceClient } from '../../apps/seal-service/src/cert-client/cert-service.client';
import { CaRegistry } from '../../apps/cert-service/src/ca/ca-registry.service';
import { caSubject } from '../../apps/cert-service/src/ca/ca-naming';
import { InitializeCasUseCase } from '../../apps/cert-service/src/ca/initialize-cas.use-case';
import { SignSealInfoUseCase } from '../../apps/cert-service/src/seal-maker/sign-seal-info.use-case';
import { FreezeCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/freeze-certificate.use-case';
import { createForeignSealMaker, type TestCertificate } from '../../libs/ses/src/test-pki.spec-helper';

let p: TestPlatform;
const dir = new TempDir();
const SEAL_PNG = sealPng(240, 20).toString('base64');
/** Another province's seal-making system, configured as a foreign trusted maker (ECERT_SEAL_MAKER_TRUST). */
let trustedForeign: { root: TestCertificate; maker: TestCertificate };
/** One nobody configured. */
let untrustedForeign: { root: TestCertificate; maker: TestCertificate };

beforeAll(async () => {
  trustedForeign = await createForeignSealMaker(new Date(), '广东省电子印章制作系统');
  untrustedForeign = await createForeignSealMaker(new Date(), '某某私营印章系统');
  const trustDir = join(dir.path, 'foreign-makers');
  mkdirSync(trustDir);
  writeFileSync(join(trustDir, 'guangdong.pem'), encodePem('CERTIFICATE', trustedForeign.root.cert));
  p = await startTestPlatform({ env: { ECERT_SEAL_MAKER_TRUST: trustDir } });
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

async function issuePersonal(uscc = makeUscc(), kind: 'sm2' | 'p256' = 'p256'): Promise<Cert & { idNumber: string }> {
  const { csr, keyPath } = opensslCsr(dir, kind);
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

/** ecert's seal makers as the seal-service trusts them: under ecert's SM2 root, with id-kp-ecertSealMaking. */
async function ecertMakers(): Promise<SealMakerTrustList[]> {
  return [{ label: 'ecert seal maker', anchors: [await caDer('sm2-root')], intermediates: [await caDer('sm2-issuing')], requiredPurpose: PROFILE_OID.kpEcertSealMaking }];
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
    const report = await verifySeal(der, { makerTrust: await ecertMakers() });
    expect(report.indication, JSON.stringify(report.checks)).toBe('TOTAL_PASSED');
    expect(report.checks.find((c) => c.name === 'maker-certificate')?.result).toBe('passed');
    expect(report.checks.find((c) => c.name === 'maker-authorised')?.result).toBe('passed');
    expect(extendedKeyUsageOf(decoded.cert)).toEqual([PROFILE_OID.kpEcertSealMaking]);
    // the chain alone (no seal-maker trust list) does not say who may make seals
    expect((await verifySeal(der, { trustAnchors: [sm2Root], intermediates: [sm2Issuing] })).indication).toBe('INDETERMINATE');
    // the seal maker's record of the signature: seal id, bound certificate, unit
    const { rows: signed } = await p.db.query('SELECT es_id, certificate_serial, uscc, purpose FROM cert.seal_maker_signature WHERE seal_id = $1', [seal.id]);
    expect(signed).toEqual([{ es_id: seal.esId, certificate_serial: cert.serial, uscc: cert.unit.uscc, purpose: 'create' }]);
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
    const report = await verifySeal(der, { makerTrust: await ecertMakers() });
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
    // The consumer writes certificate_state under its own lock; wait until it has applied the
    // issuance, or its write could land on top of the row this test writes without that lock.
    await waitFor(async () => (await p.db.query(`SELECT 1 FROM seal.inbox WHERE aggregate_id = $1 AND type = 'certificate.issued'`, [cert.serial])).rowCount);
    // what the consumer records when a freeze event arrives while a creation is in flight
    await p.db.query(
      // A freeze is the certificate's second change (version 2): the issuance event (version 1) arriving later must not undo it.
      `INSERT INTO seal.certificate_state (serial, status, event_id, event_type, occurred_at, version) VALUES ($1, 'frozen', gen_random_uuid(), 'certificate.frozen', now() + interval '1 minute', 2)
       ON CONFLICT (serial) DO UPDATE SET status = 'frozen', event_type = 'certificate.frozen', occurred_at = now() + interval '1 minute', version = 2`,
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

/** Re-signs a real seal's contents with another key: a seal whose only flaw is who made it. */
async function resign(info: SesSealInfo, makerCert: Uint8Array, signer: Signer): Promise<Buffer> {
  const tbs = encodeSealToBeSigned(info, 4, makerCert, OID.sm2WithSm3);
  const signature = await signer.sign(tbs);
  return Buffer.from(encodeSeal({ version: 4, sealInfo: info, cert: makerCert, signatureAlgorithmOid: OID.sm2WithSm3, signatureAlgorithmForm: 'oid', signature }));
}

function keySigner(cert: Cert): Signer {
  const key = sm2PrivateKeyFromPkcs8(decodePem(readFileSync(cert.keyPath, 'utf8'), 'PRIVATE KEY').der);
  return { algorithm: 'SM2', signatureAlgorithmOid: OID.sm2WithSm3, spki: parseCertificate(pemDer(cert.certificatePem)).spki, sign: async (d) => key.sign(d) };
}

async function verifyApi(der: Buffer): Promise<SealVerificationView> {
  const r = await api<SealVerificationView>(p.baseUrl, 'POST', '/api/v1/seals/verify', { data: der.toString('base64') });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const checkIn = (v: SealVerificationView, name: string) => v.seal.checks.find((c) => c.name === name);

describe('only seal makers make seals', () => {
  it('a seal signed by a unit key, a personal key, the OCSP signer or a foreign CA not on the list is TOTAL_FAILED, reason named', async () => {
    // "某市人民政府", bound to a third party's certificate: the forgery of issue 8
    const victim = await issueUnit('sm2');
    const genuine = decodeSeal(await esl((await createSeal(victim)).id));
    const info: SesSealInfo = { ...genuine.sealInfo, esId: 'forged0001', property: { ...genuine.sealInfo.property, name: '某市人民政府' } };
    const unit = await issueUnit('sm2');
    const person = await issuePersonal(unit.unit.uscc, 'sm2');
    const registry = p.services.cert!.get(CaRegistry);
    const ocsp = registry.get('sm2-ocsp');

    const cases: [string, Buffer, RegExp][] = [
      ['unit UKey key', await resign(info, pemDer(unit.certificatePem), keySigner(unit)), /chains to "ecert seal maker" but is not a seal-maker certificate.*subscriber UKey certificate/],
      ['personal UKey key', await resign(info, pemDer(person.certificatePem), keySigner(person)), /chains to "ecert seal maker" but is not a seal-maker certificate.*subscriber UKey certificate/],
      ['OCSP signer', await resign(info, new Uint8Array(ocsp.certificate), await registry.signer('sm2-ocsp')), /chains to "ecert seal maker" but is not a seal-maker certificate.*OCSP signer/],
      ['foreign CA not on the trust list', await resign(info, untrustedForeign.maker.cert, untrustedForeign.maker.signer), /is not under any trusted seal-making list .*not an authorised seal maker/],
    ];
    for (const [what, der, reason] of cases) {
      const v = await verifyApi(der);
      expect(v.indication, what).toBe('TOTAL_FAILED');
      expect(checkIn(v, 'maker-signature')?.result, what).toBe('passed'); // the signature itself is fine
      expect(checkIn(v, 'maker-authorised'), what).toMatchObject({ result: 'failed', detail: expect.stringMatching(reason) });
      expect(v.seal.ecert, what).toBeUndefined();
    }
  });

  it('a seal of a foreign seal maker on the trust list (ECERT_SEAL_MAKER_TRUST) passes', async () => {
    const unit = await issueUnit('sm2');
    const genuine = decodeSeal(await esl((await createSeal(unit)).id));
    const foreignSeal = await resign({ ...genuine.sealInfo, esId: 'gd-0001', header: { ...genuine.sealInfo.header, vendorId: 'GD-SEAL' } }, trustedForeign.maker.cert, trustedForeign.maker.signer);
    const v = await verifyApi(foreignSeal);
    expect(v.indication, JSON.stringify(v.seal.checks)).toBe('TOTAL_PASSED');
    expect(checkIn(v, 'maker-authorised')?.detail).toMatch(/seal maker of "foreign seal-making systems/);
    expect(v.makerTrust?.map((l) => l.label)).toEqual(['ecert seal maker', 'foreign seal-making systems (ECERT_SEAL_MAKER_TRUST)']);
    expect(v.makerTrust?.[1]?.anchors[0]).toContain('广东省电子印章制作系统');
  });

  it('the seal maker signs only a seal bound to an active certificate ecert issued to the unit named', async () => {
    const unit = await issueUnit('sm2');
    const other = await issueUnit('sm2');
    const frozen = await issueUnit('sm2', unit.unit.uscc);
    await asNationalOperator(() => p.services.cert!.get(FreezeCertificateUseCase).execute({ serial: frozen.serial }));
    const genuine = decodeSeal(await esl((await createSeal(unit)).id));
    const sealId = '0d9c3c1e-5f4b-4c1a-9b1e-3b0e2f7a6c11';
    const bound = (der: Uint8Array): SesSealInfo => ({ ...genuine.sealInfo, esId: sealId.replace(/-/g, ''), property: { ...genuine.sealInfo.property, certList: { type: 1, certs: [der] } } });
    const encode = (info: SesSealInfo) => Buffer.from(encodeSealToBeSigned(info, 4, genuine.cert, OID.sm2WithSm3)).toString('base64');
    const cmd = (info: SesSealInfo, over: Partial<SealMakerSignCommand> = {}): SealMakerSignCommand => ({
      data: encode(info), sealId, certificateSerial: unit.serial, uscc: unit.unit.uscc, accountNo: '4501000001', purpose: 'create', ...over,
    });
    const maker = p.services.cert!.get(SignSealInfoUseCase);
    // As the seal-service asks inside a gateway request: the gateway's context forwarded, holding seals:create.
    // Each call its own gateway request (token), as each POST /seals is.
    const asGatewayRequest = <T>(fn: () => Promise<T>, gatewayToken = `gateway.${Math.random().toString(36).slice(2)}`) =>
      requestContext.run({ requestId: `test-${Date.now().toString(36)}`, actor: 'test-operator', caller: 'seal-service', gatewayToken, upstreamSubject: Subjects.seal.create, operations: ['seals:create'], regions: [NATIONAL_SCOPE] }, fn);
    const outcome = (e: { status: number; code: string; field?: string }) => ({ status: e.status, code: e.code, field: e.field });
    const sign = (c: SealMakerSignCommand, gatewayToken?: string) => asGatewayRequest(() => maker.execute(c), gatewayToken).then(() => undefined, outcome);
    const before = (await p.db.query('SELECT count(*)::int AS n FROM cert.seal_maker_signature')).rows[0].n;

    const cases: [string, SealMakerSignCommand, { status: number; code: string; field: string }][] = [
      ["another unit's certificate in certList", cmd(bound(pemDer(other.certificatePem))), { status: 422, code: 'seal_binding_invalid', field: 'data' }],
      ["another unit's certificate named and bound", cmd(bound(pemDer(other.certificatePem)), { certificateSerial: other.serial }), { status: 422, code: 'seal_binding_invalid', field: 'uscc' }],
      ['another account', cmd(bound(pemDer(unit.certificatePem)), { accountNo: '9999' }), { status: 422, code: 'seal_binding_invalid', field: 'accountNo' }],
      ['a frozen certificate', cmd(bound(pemDer(frozen.certificatePem)), { certificateSerial: frozen.serial }), { status: 422, code: 'certificate_not_active', field: 'certificateSerial' }],
      ['a certificate ecert never issued', cmd(bound(untrustedForeign.maker.cert), { certificateSerial: 'ab'.repeat(16) }), { status: 422, code: 'certificate_not_found', field: 'certificateSerial' }],
      ['an esID that is not the seal id', cmd({ ...bound(pemDer(unit.certificatePem)), esId: 'other' }), { status: 400, code: 'validation_failed', field: 'sealId' }],
      ['two certificates bound', cmd({ ...genuine.sealInfo, esId: sealId.replace(/-/g, ''), property: { ...genuine.sealInfo.property, certList: { type: 1, certs: [pemDer(unit.certificatePem), pemDer(other.certificatePem)] } } }), { status: 400, code: 'validation_failed', field: 'data' }],
      ['no unit named', cmd(bound(pemDer(unit.certificatePem)), { uscc: '' }), { status: 400, code: 'validation_failed', field: 'uscc' }],
      ['no purpose', cmd(bound(pemDer(unit.certificatePem)), { purpose: undefined as never }), { status: 400, code: 'validation_failed', field: 'purpose' }],
      ['a certificate, not a SES_SealInfo', { ...cmd(bound(pemDer(unit.certificatePem))), data: Buffer.from(pemDer(unit.certificatePem)).toString('base64') }, { status: 400, code: 'validation_failed', field: 'data' }],
    ];
    for (const [what, c, problem] of cases) expect(await sign(c), what).toEqual(problem);
    // A new seal on the seal-service's own authority (no gateway request behind it) is refused.
    const onItsOwn = await asNationalOperator(() => maker.execute(cmd(bound(pemDer(unit.certificatePem))))).then(() => undefined, outcome);
    expect(onItsOwn).toEqual({ status: 403, code: 'forbidden', field: 'purpose' });
    expect((await p.db.query('SELECT count(*)::int AS n FROM cert.seal_maker_signature')).rows[0].n).toBe(before);
    // the right one is signed and recorded, once: the same creation request replayed gets no second seal
    expect(await sign(cmd(bound(pemDer(unit.certificatePem))), 'gateway.once')).toBeUndefined();
    expect(await sign(cmd(bound(pemDer(unit.certificatePem))), 'gateway.once')).toEqual({ status: 409, code: 'concurrent_modification', field: 'sealId' });
    const { rows } = await p.db.query('SELECT seal_id, certificate_serial, uscc, account_no, purpose FROM cert.seal_maker_signature WHERE seal_id = $1', [sealId]);
    expect(rows).toEqual([{ seal_id: sealId, certificate_serial: unit.serial, uscc: unit.unit.uscc, account_no: '4501000001', purpose: 'create' }]);
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
    // Sound bytes, but the seal of a UKey reported lost: not TOTAL_PASSED, and the reason said.
    expect(report.body.seal.indication).toBe('TOTAL_PASSED');
    expect(report.body).toMatchObject({ indication: 'INDETERMINATE', standing: expect.stringMatching(/suspended/) });
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
      expect((await verifySeal(d, { makerTrust: await ecertMakers() })).indication).toBe('TOTAL_PASSED');
    }
    // the successor is the unit's one official seal now
    const again = await api(p.baseUrl, 'POST', '/api/v1/seals', sealRequest({ serial: newSerial }));
    expect(again.body.code).toBe('official_seal_exists');

    // the same renewal delivered again under a new event id (a duplicate from upstream): no third seal
    const { rows: renewedEvents } = await p.db.query("SELECT payload FROM seal.inbox WHERE type = 'certificate.renewed' AND aggregate_id = $1", [newSerial]);
    expect(renewedEvents).toHaveLength(1);
    // both units travel in the event, and both certificates' versions (old: issue, freeze, unfreeze, renew)
    expect(renewedEvents[0].payload.data).toMatchObject({
      oldSerial: cert.serial, newSerial, oldUscc: cert.unit.uscc, oldAccountNo: '4501000001', newUscc: cert.unit.uscc, newAccountNo: '4501000001', version: 1, oldVersion: 4,
    });
    expect((await p.db.query('SELECT version, status FROM seal.certificate_state WHERE serial = $1', [cert.serial])).rows[0]).toEqual({ version: 4, status: 'revoked' });
    const { rows: makerRecords } = await p.db.query("SELECT count(*)::int AS n FROM cert.seal_maker_signature WHERE certificate_serial = $1 AND purpose = 'renewal'", [newSerial]);
    expect(makerRecords[0].n).toBe(2);
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
  it('a freeze delivered again after the later unfreeze leaves the seals active (events applied by certificate version)', async () => {
    const cert = await issueUnit('sm2');
    const seal = await createSeal(cert, { kind: 'special', purpose: 'invoice', name: '发票专用章' });
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/freeze`, {})).status).toBe(200);
    await waitFor(async () => (await sealStatus(seal.id)) === 'suspended');
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${cert.serial}/unfreeze`, {})).status).toBe(200);
    await waitFor(async () => (await sealStatus(seal.id)) === 'active');
    const { rows } = await p.db.query("SELECT payload FROM seal.inbox WHERE type = 'certificate.frozen' AND aggregate_id = $1", [cert.serial]);
    const freeze = rows[0].payload as DomainEvent<string, { version: number }>;
    expect(freeze.data.version).toBe(2);
    // the same freeze again under a new id (as after a failed first attempt): older than the unfreeze, so nothing moves
    await replay({ ...freeze, id: '00000000-0000-4000-8001-' + Date.now().toString(16).padStart(12, '0').slice(-12) });
    expect(await sealStatus(seal.id)).toBe('active');
    expect((await p.db.query('SELECT status, version FROM seal.certificate_state WHERE serial = $1', [cert.serial])).rows[0]).toEqual({ status: 'active', version: 3 });
  });

  it("a renewed event that points a unit's seals at another unit's certificate is refused and recorded", async () => {
    const victim = await issueUnit('sm2');
    const seal = await createSeal(victim);
    const attacker = await issueUnit('sm2');
    // even signed by the cert-service (a bug or a stolen key there), the seal-service checks the records
    const forged: DomainEvent = {
      id: '00000000-0000-4000-8002-' + Date.now().toString(16).padStart(12, '0').slice(-12),
      type: 'certificate.renewed',
      version: 1,
      occurredAt: new Date().toISOString(),
      aggregateId: attacker.serial,
      data: {
        serial: attacker.serial, caId: 'sm2-issuing', profile: 'unit', uscc: attacker.unit.uscc, accountNo: '4501000001', regionCode: '450100', status: 'active', notAfter: attacker.notAfter,
        version: 1, oldSerial: victim.serial, newSerial: attacker.serial, oldVersion: 2,
        oldUscc: victim.unit.uscc, oldAccountNo: '4501000001', newUscc: victim.unit.uscc, newAccountNo: '4501000001',
      },
    };
    await replay(forged);
    const { rows: refusals } = await p.db.query('SELECT serial, reason FROM seal.certificate_event_refusal WHERE event_id = $1', [forged.id]);
    expect(refusals).toEqual([{ serial: victim.serial, reason: expect.stringMatching(new RegExp(`belongs to unit ${attacker.unit.uscc}`)) }]);
    const now = (await api<SealView>(p.baseUrl, 'GET', `/api/v1/seals/${seal.id}`)).body;
    expect(now).toMatchObject({ status: 'active' });
    expect(now.replacedBy).toBeUndefined();
    expect((await api(p.baseUrl, 'GET', `/api/v1/seals?certificateSerial=${attacker.serial}`)).body.total).toBe(0);
    const { rows: history } = await p.db.query('SELECT action, event_id FROM seal.seal_history WHERE seal_id = $1 ORDER BY id', [seal.id]);
    expect(history).toEqual([{ action: 'create', event_id: null }, { action: 'renewal-refused', event_id: forged.id }]);
    // and audited: the seal-service publishes seal.renewal-refused, the gateway's audit trail records it
    const audited = await waitFor(async () => {
      const { rows: a } = await p.db.query("SELECT target, details FROM gateway.audit_log WHERE action = 'event.seal.renewal-refused' AND details->'data'->>'causeEventId' = $1", [forged.id]);
      return a.length ? a : undefined;
    });
    expect(audited[0]).toMatchObject({ target: victim.serial, details: { data: { oldSerial: victim.serial, newSerial: attacker.serial, sealIds: [seal.id] } } });
    // the victim's certificate was not marked revoked by it: seals can still be made for it
    await createSeal(victim, { kind: 'branch', name: '分公司' });
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
 * drop it), signed as the cert-service, and waits until the seal-service's durable consumer has
 * acknowledged it.
 */
async function replay(event: DomainEvent): Promise<void> {
  const nc = await connectNats(p.config.NATS_URL, 'seal-test-replay');
  try {
    // Signed as the cert-service signs what it publishes: consumers refuse unsigned events.
    const body = new TextEncoder().encode(JSON.stringify(event));
    const h = natsHeaders();
    h.set(EVENT_SIGNER_HEADER, 'cert-service');
    h.set(EVENT_SIGNATURE_HEADER, BusIdentity.fromConfig(p.config, 'cert-service').signBytes(body));
    const ack = await jetstream(nc).publish(eventSubject(event.type), body, { headers: h });
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => {
      const info = await jsm.consumers.info(EVENTS_STREAM, SEAL_CERTIFICATE_CONSUMER);
      return info.ack_floor.stream_seq >= ack.seq && info.num_ack_pending === 0;
    });
  } finally {
    await nc.close();
  }
}

describe('a seal maker from before id-kp-ecertSealMaking', () => {
  it('is re-issued by the CA init; seals it made keep verifying here, new seals use the new maker', async () => {
    const registry = p.services.cert!.get(CaRegistry);
    const sealService = p.services.seal!.get(CertServiceClient);
    const current = registry.get('sm2-seal-maker');
    const issuing = registry.get('sm2-issuing');
    // What CA init made before the purpose existed: the same key, no EKU.
    const legacy = await buildCertificate({
      issuer: issuerFromCertificate(new Uint8Array(issuing.certificate)),
      signer: await registry.signer('sm2-issuing'),
      subjectName: buildName(caSubject('sm2', 'seal-maker')),
      subjectSpki: parseCertificate(new Uint8Array(current.certificate)).spki,
      serialNumber: newSerialNumber(),
      notBefore: current.notBefore,
      notAfter: current.notAfter,
      extensions: certificateProfiles
        .sealMaker({ subjectSpki: parseCertificate(new Uint8Array(current.certificate)).spki, crlUrl: 'http://127.0.0.1/crl', ocspUrl: 'http://127.0.0.1/ocsp', caIssuersUrl: 'http://127.0.0.1/ca' })
        .filter((e) => e.extnID !== '2.5.29.37'),
    });
    await p.db.query("UPDATE cert.ca SET certificate = $1, serial = $2 WHERE id = 'sm2-seal-maker'", [Buffer.from(legacy), parseCertificate(legacy).serialNumberHex]);
    await registry.reload();
    sealService.forgetCas();

    const cert = await issueUnit('sm2');
    const old = await createSeal(cert);
    const oldDer = await esl(old.id);
    expect(extendedKeyUsageOf(decodeSeal(oldDer).cert)).toBeUndefined();
    // offline, under the purpose rule, such a maker is not a seal maker …
    expect((await verifySeal(oldDer, { makerTrust: await ecertMakers() })).indication).toBe('TOTAL_FAILED');
    // … but ecert made and stored this very seal, so its own verification still passes it
    const here = await verifyApi(oldDer);
    expect(here.indication, JSON.stringify(here.seal.checks)).toBe('TOTAL_PASSED');
    expect(checkIn(here, 'maker-authorised')?.detail).toMatch(/before id-kp-ecertSealMaking/);
    // the same maker certificate on a seal ecert did not store is refused
    const copy = await resign({ ...decodeSeal(oldDer).sealInfo, esId: 'copy0001' }, decodeSeal(oldDer).cert, await registry.signer('sm2-seal-maker'));
    expect((await verifyApi(copy)).indication).toBe('TOTAL_FAILED');

    const result = await p.services.cert!.get(InitializeCasUseCase).execute();
    expect(result.renewed).toEqual(['sm2-seal-maker']);
    const reissued = new Uint8Array(registry.get('sm2-seal-maker').certificate);
    expect(extendedKeyUsageOf(reissued)).toEqual([PROFILE_OID.kpEcertSealMaking]);
    expect((await p.services.cert!.get(InitializeCasUseCase).execute()).renewed).toEqual([]); // marked now: left alone
    sealService.forgetCas();
    const next = await createSeal(cert, { kind: 'special', purpose: 'contract', name: '合同专用章' });
    const nextDer = await esl(next.id);
    expect(Buffer.from(decodeSeal(nextDer).cert).equals(Buffer.from(reissued))).toBe(true);
    expect((await verifySeal(nextDer, { makerTrust: await ecertMakers() })).indication).toBe('TOTAL_PASSED');
    expect((await verifyApi(oldDer)).indication).toBe('TOTAL_PASSED'); // the old seal still verifies here
  });
});

describe('a revoked seal maker', () => {
  it('revoked for keyCompromise: seals under the old maker key, made before or forged after, are TOTAL_FAILED; the new maker\'s pass', async () => {
    const registry = p.services.cert!.get(CaRegistry);
    const cert = await issueUnit('sm2');
    const before = await createSeal(cert);
    const beforeDer = await esl(before.id);
    expect((await verifyApi(beforeDer)).indication).toBe('TOTAL_PASSED');
    // What a thief of the maker key holds: the key, and the certificate that still chains and carries the purpose.
    const oldMaker = registry.get('sm2-seal-maker');
    const oldCert = new Uint8Array(oldMaker.certificate);
    const stolenKey = await registry.signer('sm2-seal-maker');

    const revoked = await api(p.baseUrl, 'POST', '/api/v1/cas/sm2-seal-maker/revoke', { reason: 'keyCompromise', comment: '制章密钥泄露' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    // The CA list names the revoked certificate under its issuer (the gateway's /pki/ca shows the same).
    const list = await api<{ caId: string; revokedCertificates?: { caId: string; serial: string; revocationReason: string; revokedAt: string }[] }[]>(p.baseUrl, 'GET', '/pki/ca');
    expect(list.status).toBe(200);
    const issuing = list.body.find((c) => c.caId === 'sm2-issuing')!;
    expect(issuing.revokedCertificates).toContainEqual(expect.objectContaining({ caId: 'sm2-seal-maker', serial: parseCertificate(oldCert).serialNumberHex.replace(/^(00)+(?=.)/, ''), revocationReason: 'keyCompromise' }));
    expect(list.body.find((c) => c.caId === 'sm2-seal-maker')!.revokedCertificates).toBeUndefined();

    // A seal the thief makes afterwards, dated before the revocation, naming another unit.
    const genuine = decodeSeal(beforeDer).sealInfo;
    const forged = await resign({ ...genuine, esId: 'stolen0001', property: { ...genuine.property, name: '某市人民政府', createDate: new Date(Date.now() - 86_400_000) } }, oldCert, stolenKey);
    // The seal-service's CA list is cached for a few seconds: the revocation reaches verification within them.
    const v = await waitFor(async () => {
      const r = await verifyApi(forged);
      return r.indication === 'TOTAL_FAILED' && r;
    }, 10_000, 250);
    expect(checkIn(v, 'maker-signature')?.result).toBe('passed');
    expect(checkIn(v, 'maker-authorised')).toMatchObject({ result: 'failed', detail: expect.stringMatching(/the seal-maker certificate .* was revoked by sm2-issuing .*\(keyCompromise\); its key is compromised/) });
    // The seal ecert made with that key before the revocation cannot be told from the thief's: it fails too.
    const old = await verifyApi(beforeDer);
    expect(old.indication).toBe('TOTAL_FAILED');
    expect(checkIn(old, 'maker-authorised')?.detail).toMatch(/keyCompromise/);
    expect(old.seal.ecert?.sealId).toBe(before.id);
    // Offline, without the revocation, the forged seal would still pass: that is what the check adds.
    expect((await verifySeal(forged, { makerTrust: await ecertMakers() })).indication).toBe('TOTAL_PASSED');

    // New seals come from the replacement maker and pass.
    const next = await createSeal(cert, { kind: 'special', purpose: 'contract', name: '合同专用章' });
    const nextDer = await esl(next.id);
    expect(Buffer.from(decodeSeal(nextDer).cert).equals(Buffer.from(oldCert))).toBe(false);
    expect((await verifyApi(nextDer)).indication).toBe('TOTAL_PASSED');
  });
});
