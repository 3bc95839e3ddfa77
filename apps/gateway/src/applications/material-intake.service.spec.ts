import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ProblemError } from '@ecert/common';
import { FileDocumentStore } from '@ecert/documents';
import { buildPdf, testJpeg, testPng } from '../../../../libs/documents/src/test-materials.spec-helper';
import { multipartBody, type MultipartPart } from '../../../../test/support/multipart-body';
import { MaterialIntake } from './material-intake.service';
import { MaterialUploadReader } from './material-upload.reader';
import type { MaterialUploadQueryDto } from './application.dto';

const MAX = 64 * 1024;

/** A request as Node hands it over: a stream of body chunks with headers; `pulled` says whether anyone read it. */
function request(chunks: Buffer[], headers: Record<string, string>): IncomingMessage & { pulled: () => boolean } {
  let i = 0;
  let pulled = false;
  const r = new Readable({
    read() {
      pulled = true;
      this.push(i < chunks.length ? chunks[i++] : null);
    },
  }) as unknown as IncomingMessage & { pulled: () => boolean };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  Object.assign(r, { headers: lower, pulled: () => pulled });
  return r;
}

function raw(bytes: Buffer, type: string, extra: Record<string, string> = {}) {
  return request([bytes], { 'content-type': type, 'content-length': String(bytes.length), ...extra });
}

function multipart(parts: MultipartPart[]) {
  const { body, contentType } = multipartBody(parts);
  return request([body], { 'content-type': contentType, 'content-length': String(body.length) });
}

async function refusal(p: Promise<unknown>): Promise<ProblemError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${e === undefined ? 'success' : String(e)}`);
  return e;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pdf = buildPdf();
const png = testPng();
const jpeg = testJpeg();

let dir: string;
let store: FileDocumentStore;
let intake: MaterialIntake;
/** Every file the store holds (its fan-out directories are not documents). */
const stored = () => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
const receive = (req: IncomingMessage, q: MaterialUploadQueryDto = {}) => intake.receive(req, q);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecert-intake-'));
  store = new FileDocumentStore({ root: dir, maxBytes: MAX });
  intake = new MaterialIntake({ MATERIAL_MAX_BYTES: MAX }, store);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('material uploads accepted', () => {
  it('multipart: the file part is stored and named by its SHA-256, kind from the form, the name kept (UTF-8)', async () => {
    const m = await receive(multipart([{ name: 'kind', value: 'uscc_copy' }, { name: 'file', filename: '营业执照复印件.pdf', type: 'application/pdf', data: pdf }]));
    expect(m).toEqual({ kind: 'uscc_copy', sha256: sha256(pdf), fileName: '营业执照复印件.pdf' });
    expect(Buffer.from(await store.get(m.sha256)).equals(pdf)).toBe(true);
  });

  it('multipart: kind may come in the query, and a file part declared application/octet-stream is judged by content', async () => {
    const m = await receive(multipart([{ name: 'file', filename: 'C:\\scans\\id.png', type: 'application/octet-stream', data: png }]), { kind: 'handler_id_copy' });
    expect(m).toEqual({ kind: 'handler_id_copy', sha256: sha256(png), fileName: 'id.png' });
  });

  it('raw: the body itself, kind and file name from the query', async () => {
    const m = await receive(raw(jpeg, 'image/jpeg'), { kind: 'seal_impression_form', fileName: '印章采集表.jpg' });
    expect(m).toEqual({ kind: 'seal_impression_form', sha256: sha256(jpeg), fileName: '印章采集表.jpg' });
    const octet = await receive(raw(pdf, 'application/octet-stream'), { kind: 'certificate_form' });
    expect(octet).toEqual({ kind: 'certificate_form', sha256: sha256(pdf) });
    expect(stored()).toHaveLength(2);
  });

  it('raw: a chunked body (no Content-Length) is read to its end', async () => {
    const req = request([pdf.subarray(0, 100), pdf.subarray(100)], { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
    expect((await receive(req, { kind: 'certificate_form' })).sha256).toBe(sha256(pdf));
  });
});

describe('material uploads refused, nothing stored', () => {
  afterEach(() => expect(stored()).toEqual([]));

  it('a fake PDF (text named .pdf, declared application/pdf) is 415 material_type_unsupported', async () => {
    const text = Buffer.from('这不是PDF，只是改了扩展名的文本文件\n'.repeat(20));
    for (const req of [multipart([{ name: 'kind', value: 'uscc_copy' }, { name: 'file', filename: '营业执照.pdf', type: 'application/pdf', data: text }]), raw(text, 'application/pdf')]) {
      const e = await refusal(receive(req, { kind: 'uscc_copy' }));
      expect([e.status, e.code, e.field]).toEqual([415, 'material_type_unsupported', 'file']);
    }
  });

  it('a PNG declared as application/pdf is 415 material_type_mismatch, raw or multipart', async () => {
    for (const req of [raw(png, 'application/pdf'), multipart([{ name: 'file', filename: 'scan.pdf', type: 'application/pdf', data: png }])]) {
      const e = await refusal(receive(req, { kind: 'uscc_copy' }));
      expect([e.status, e.code, e.field]).toEqual([415, 'material_type_mismatch', 'file']);
    }
  });

  it('a broken PDF, a PDF with JavaScript and an empty body are 422 with the inspector’s code', async () => {
    const truncated = pdf.subarray(0, pdf.length - 40);
    expect((await refusal(receive(raw(truncated, 'application/pdf'), { kind: 'seal_form' }))).code).toBe('material_malformed');
    const active = buildPdf({ objects: [`<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>`, '<< /Type /Pages /Kids [] /Count 0 >>'] });
    const e = await refusal(receive(raw(active, 'application/pdf'), { kind: 'seal_form' }));
    expect([e.status, e.code, e.field]).toEqual([422, 'material_active_content', 'file']);
    expect((await refusal(receive(raw(Buffer.alloc(0), 'application/pdf'), { kind: 'seal_form' }))).code).toBe('material_empty');
  });

  it('over MATERIAL_MAX_BYTES is 413 material_too_large: declared, counted while reading, or in a multipart part', async () => {
    const big = Buffer.concat([png, Buffer.alloc(MAX)]);
    const declared = raw(big, 'image/png');
    const e = await refusal(receive(declared, { kind: 'uscc_copy' }));
    expect([e.status, e.code, e.field]).toEqual([413, 'material_too_large', 'file']);
    expect(declared.pulled()).toBe(false); // refused on its Content-Length, before a byte was read

    const chunked = request([big.subarray(0, MAX / 2), big.subarray(MAX / 2)], { 'content-type': 'image/png' });
    expect((await refusal(receive(chunked, { kind: 'uscc_copy' }))).code).toBe('material_too_large');

    const form = multipartBody([{ name: 'file', filename: 'big.png', type: 'image/png', data: big }]);
    // Without a Content-Length, so the part itself has to be counted.
    const inParts = request([form.body], { 'content-type': form.contentType });
    const m = await refusal(receive(inParts, { kind: 'uscc_copy' }));
    expect([m.status, m.code, m.field]).toEqual([413, 'material_too_large', 'file']);

    const declaredForm = multipart([{ name: 'file', filename: 'big.png', type: 'image/png', data: Buffer.concat([big, Buffer.alloc(32 * 1024)]) }]);
    expect((await refusal(receive(declaredForm, { kind: 'uscc_copy' }))).status).toBe(413);
  });

  it('without kind is a 400 naming kind; a raw body is not even read', async () => {
    const req = raw(pdf, 'application/pdf');
    const e = await refusal(receive(req));
    expect([e.status, e.field]).toEqual([400, 'kind']);
    expect(req.pulled()).toBe(false);
    expect((await refusal(receive(multipart([{ name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf }])))).field).toBe('kind');
  });

  it('a kind the form and the query disagree on, or an unknown one, is a 400 naming kind', async () => {
    const file = { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf };
    expect((await refusal(receive(multipart([{ name: 'kind', value: 'seal_form' }, file]), { kind: 'uscc_copy' }))).field).toBe('kind');
    expect((await refusal(receive(multipart([{ name: 'kind', value: 'photo' }, file])))).field).toBe('kind');
  });

  it('a request that is neither multipart nor a material type is 415 naming file', async () => {
    for (const type of ['text/plain', 'application/json', 'multipart/mixed; boundary=x']) {
      const e = await refusal(receive(raw(pdf, type), { kind: 'uscc_copy' }));
      expect([e.status, e.code, e.field]).toEqual([415, 'material_type_unsupported', 'file']);
    }
    expect((await refusal(receive(raw(pdf, 'application/pdf', { 'content-encoding': 'gzip' }), { kind: 'uscc_copy' }))).status).toBe(415);
  });
});

describe('multipart structure', () => {
  const reader = new MaterialUploadReader(MAX);
  const file = { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf };

  it('takes exactly one file part named file, and only kind beside it', async () => {
    expect((await refusal(reader.read(multipart([file, { ...file, filename: 'b.pdf' }])))).field).toBe('file');
    expect((await refusal(reader.read(multipart([{ ...file, name: 'document' }])))).field).toBe('file');
    expect((await refusal(reader.read(multipart([{ name: 'kind', value: 'uscc_copy' }])))).detail).toContain('file part named file is required');
    const extra = await refusal(reader.read(multipart([{ name: 'comment', value: 'hi' }, file])));
    expect([extra.status, extra.field]).toEqual([400, 'comment']);
    expect((await refusal(reader.read(multipart([{ name: 'kind', value: 'x'.repeat(1000) }, file])))).field).toBe('kind');
    // A part named file without a filename is a text field to multipart: say what is missing.
    expect((await refusal(reader.read(multipart([{ name: 'file', value: 'JVBERi0xLjc=' }])))).field).toBe('file');
  });

  it('a truncated body or a missing boundary is a 400', async () => {
    const { body, contentType } = multipartBody([file]);
    expect((await refusal(reader.read(request([body.subarray(0, body.length - 30)], { 'content-type': contentType })))).status).toBe(400);
    expect((await refusal(reader.read(request([body], { 'content-type': 'multipart/form-data' })))).field).toBe('body');
  });

  it('a file of exactly the limit passes, one byte more does not', async () => {
    const exact = Buffer.alloc(MAX, 1);
    const ok = await reader.read(multipart([{ name: 'file', filename: 'x.bin', type: 'application/octet-stream', data: exact }]));
    expect(ok.bytes.length).toBe(MAX);
    expect((await reader.read(raw(exact, 'application/octet-stream'))).bytes.length).toBe(MAX);
    const over = Buffer.alloc(MAX + 1, 1);
    expect((await refusal(reader.read(multipart([{ name: 'file', filename: 'x.bin', type: 'application/octet-stream', data: over }])))).status).toBe(413);
    expect((await refusal(reader.read(raw(over, 'application/octet-stream')))).status).toBe(413);
  });
});
