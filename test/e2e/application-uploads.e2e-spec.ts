import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { api } from '../support/http';
import { makeResidentId, makeUscc } from '../support/fixtures';
import { multipartBody } from '../support/multipart-body';
import { buildPdf, testPng } from '../../libs/documents/src/test-materials.spec-helper';

/**
 * Uploads at the gateway: the workflow-service says first whether the caller may add to the
 * application at all (nothing is read or stored for one they may not), then every refusal of the
 * bytes is the gateway's own, and a refused upload leaves nothing in the document store.
 */
const MAX = 64 * 1024;
let p: TestPlatform;
let storeDir: string;
let id: string;
const pdf = buildPdf();
const png = testPng();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'seal', 'workflow', 'gateway'], env: { NATS_REQUEST_TIMEOUT_MS: '3000', MATERIAL_MAX_BYTES: String(MAX) } });
  storeDir = p.config.DOCUMENT_STORE_DIR;
  const draft = await api(p.baseUrl, 'POST', '/api/v1/applications', {
    type: 'apply',
    unit: { name: '南宁市某某科技有限公司', address: '南宁市青秀区民族大道100号', postalCode: '530022', uscc: makeUscc('450103'), regionCode: '450103', accountNo: '4501000009' },
    handler: { name: '张三', idNumber: makeResidentId(), phone: '13800138000', email: 'zhangsan@example.cn' },
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  id = draft.body.id;
});
afterAll(async () => {
  await p?.close();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

const documents = () => (existsSync(storeDir) ? readdirSync(storeDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name) : []);

async function upload(body: Buffer, contentType: string, query = '?kind=uscc_copy', path = `/api/v1/applications/${id}/materials`, headers: Record<string, string> = {}) {
  const res = await fetch(`${p.baseUrl}${path}${query}`, { method: 'POST', headers: { 'x-api-key': p.apiKey!, 'content-type': contentType, ...headers }, body });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { code: string; field?: string; detail?: string } };
}

function form(data: Buffer, type: string, filename = 'scan.pdf', kind: string | null = 'uscc_copy') {
  return multipartBody([...(kind !== null ? [{ name: 'kind', value: kind }] : []), { name: 'file', filename, type, data }]);
}

describe('material uploads refused at the gateway', () => {
  it('to an application that does not exist: 404, nothing read or stored', async () => {
    const r = await upload(pdf, 'application/pdf', '?kind=uscc_copy', `/api/v1/applications/${randomUUID()}/materials`);
    expect(r.status).toBe(404);
    expect(documents()).toEqual([]);
  });

  it('without a credential: 401 before the body is looked at', async () => {
    const res = await fetch(`${p.baseUrl}/api/v1/applications/${id}/materials?kind=uscc_copy`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: pdf });
    expect(res.status).toBe(401);
  });

  it('a fake PDF (text with a .pdf name): 415 material_type_unsupported naming file', async () => {
    const text = Buffer.from('not a pdf at all\n'.repeat(50));
    const f = form(text, 'application/pdf', '营业执照.pdf');
    const r = await upload(f.body, f.contentType, '');
    expect(r.status).toBe(415);
    expect(r.type).toContain('application/problem+json');
    expect(r.body).toMatchObject({ code: 'material_type_unsupported', field: 'file' });
  });

  it('a PNG declared as application/pdf: 415 material_type_mismatch', async () => {
    const r = await upload(png, 'application/pdf');
    expect([r.status, r.body.code, r.body.field]).toEqual([415, 'material_type_mismatch', 'file']);
  });

  it('over MATERIAL_MAX_BYTES: 413, raw or multipart', async () => {
    const big = Buffer.concat([png, Buffer.alloc(MAX)]);
    const raw = await upload(big, 'image/png');
    expect([raw.status, raw.body.code, raw.body.field]).toEqual([413, 'material_too_large', 'file']);
    const f = form(big, 'image/png', 'big.png');
    const multi = await upload(f.body, f.contentType, '');
    expect(multi.status).toBe(413);
    expect(multi.body.field).toBe('file');
  });

  it('without kind: 400 naming kind; a bad id: 400 naming id; JSON: 415', async () => {
    expect((await upload(pdf, 'application/pdf', '')).body).toMatchObject({ code: 'validation_failed', field: 'kind' });
    const f = form(pdf, 'application/pdf', 'a.pdf', null);
    expect((await upload(f.body, f.contentType, '')).body.field).toBe('kind');
    const badId = await upload(pdf, 'application/pdf', '?kind=uscc_copy', '/api/v1/applications/not-a-uuid/materials');
    expect([badId.status, badId.body.field]).toEqual([400, 'id']);
    const json = await upload(Buffer.from(JSON.stringify({ file: pdf.toString('base64') })), 'application/json');
    expect([json.status, json.body.field]).toEqual([415, 'file']);
  });

  it('left nothing in the document store', () => {
    expect(documents()).toEqual([]);
  });
});

describe('material uploads accepted by the gateway', () => {
  it('multipart and raw both pass the checks, are stored and attached', async () => {
    const f = form(pdf, 'application/pdf', '受理表.pdf', 'certificate_form');
    const multi = await upload(f.body, f.contentType, '');
    expect(multi.status, JSON.stringify(multi.body)).toBe(201);
    const raw = await upload(png, 'image/png', '?kind=handler_id_copy&fileName=id.png');
    expect(raw.status, JSON.stringify(raw.body)).toBe(201);
    const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(documents().sort()).toEqual([hex(pdf), hex(png)].sort());
    expect(existsSync(join(storeDir, hex(pdf).slice(0, 2), hex(pdf).slice(2, 4), hex(pdf)))).toBe(true);
  });
});

describe('applications: validated at the edge', () => {
  const unit = () => ({ name: '南宁市某某科技有限公司', address: '南宁市青秀区民族大道100号', postalCode: '530022', uscc: makeUscc(), regionCode: '450103', accountNo: '4501000001' });
  const handler = () => ({ name: '张三', idNumber: makeResidentId(), phone: '13800138000', email: 'zhangsan@example.cn' });

  it('a bad USCC or an unknown field is a 400 naming it; a good 受理表 is filed', async () => {
    const bad = await api(p.baseUrl, 'POST', '/api/v1/applications', { type: 'apply', unit: { ...unit(), uscc: '91450100MA5KXXXX0X' }, handler: handler() });
    expect([bad.status, bad.body.field]).toEqual([400, 'unit.uscc']);
    const extra = await api(p.baseUrl, 'POST', '/api/v1/applications', { type: 'apply', unit: unit(), handler: handler(), priority: 'high' });
    expect([extra.status, extra.body.field]).toEqual([400, 'priority']);
    const good = await api(p.baseUrl, 'POST', '/api/v1/applications', { type: 'apply', unit: unit(), handler: handler(), seals: [{ kind: 'official', name: '南宁市某某科技有限公司' }] });
    expect(good.status, JSON.stringify(good.body)).toBe(201);
  });

  it('decisions: reject without a reason is a 400 naming reason; a bad If-Match names If-Match', async () => {
    const r = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/decisions`, { decision: 'reject' });
    expect([r.status, r.body.field]).toEqual([400, 'reason']);
    const m = await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/decisions`, { decision: 'approve' }, { 'if-match': 'W/"2"' });
    expect([m.status, m.body.field]).toEqual([400, 'If-Match']);
  });

  it('query, path and calendar refusals name their field', async () => {
    expect((await api(p.baseUrl, 'GET', '/api/v1/applications?overdue=maybe')).body.field).toBe('overdue');
    expect((await api(p.baseUrl, 'GET', '/api/v1/applications/42')).body.field).toBe('id');
    expect((await api(p.baseUrl, 'POST', `/api/v1/applications/${id}/collection`, { collector: { name: '张三', idNumber: '450103' } })).body.field).toBe('collector.idNumber');
    expect((await api(p.baseUrl, 'PUT', '/api/v1/calendar/1899', { holidays: [], workdays: [] })).body.field).toBe('year');
    expect((await api(p.baseUrl, 'PUT', '/api/v1/calendar/2031', { holidays: ['31/12/2031'], workdays: [] })).body.field).toBe('holidays');
  });

  it('the endpoints are in the OpenAPI document', async () => {
    const doc = await api(p.baseUrl, 'GET', '/api/docs-json');
    const paths = Object.keys(doc.body.paths);
    for (const path of ['/api/v1/applications', '/api/v1/applications/{id}', '/api/v1/applications/{id}/materials', '/api/v1/applications/{id}/decisions', '/api/v1/calendar', '/api/v1/calendar/{year}']) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.body.paths['/api/v1/applications/{id}/materials'].post.requestBody.content)).toContain('multipart/form-data');
  });
});
