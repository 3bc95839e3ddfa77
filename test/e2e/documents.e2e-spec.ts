import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTsa, type TestTsa } from '../support/test-tsa';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CertificateView,
  DocumentVerificationReport,
  DocumentView,
  PlacementSpec,
  SealedDocumentView,
  SealSessionView,
  SealUseRequestView,
  SealView,
} from '@ecert/contracts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { makeResidentId, makeUscc, openssl, opensslCsr, TempDir } from '../support/fixtures';
import { PurgeExpiredDocumentsUseCase } from '../../apps/seal-service/src/documents/purge-expired-documents.use-case';
import { api, defaultHeaders } from '../support/http';
import { randomUUID } from 'node:crypto';
import { ProblemError, requestContext } from '@ecert/common';
import { Subjects } from '@ecert/contracts';
import { buildCertificate, buildName, certificateProfiles, issuerFromCertificate, newSerialNumber } from '@ecert/pki';
import { parseCertificate } from '@ecert/ses';
import { CertServiceClient } from '../../apps/seal-service/src/cert-client/cert-service.client';
import { CaRegistry } from '../../apps/cert-service/src/ca/ca-registry.service';
import { caSubject } from '../../apps/cert-service/src/ca/ca-naming';
import { InitializeCasUseCase } from '../../apps/cert-service/src/ca/initialize-cas.use-case';
import { BusIdentity, BusRpcClient } from '@ecert/messaging';
import { samplePdf } from '../support/materials';
import { sealPng } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { PDF_FIXTURES } from '../support/pdf-fixtures';
import { embedSignature, prepareSignature, readPdfSignatures, signedChunks } from '@ecert/pdf';
import { assembleSignedData, buildTimestampRequest, checkSignatureOverAttributes, CMS_OID, digestChunks, parseSignedData, prepareSignedAttributes, readTimestampResponse } from '@ecert/cms';
import { assembleSesSignatureV4, decodeSesSignature, prepareSesSignatureV4 } from '@ecert/ses';
import { derOf } from '../../apps/seal-service/src/documents/verify-document.use-case';
import { hasPeer, makeNssDb, mmToPx, pdfsigReport, qpdfCheck, redPixelsIn, renderPage } from '../support/pdf-peers';

/**
 * Issue 11 end to end: a unit's seal on a UKey (a key this test holds, signing as the UKey would)
 * and an office's platform-held seal; the rules of use, seal-use requests and their approval;
 * deferred and server-side sealing; verification of what came out, and of what was changed after.
 */
let p: TestPlatform;
const dir = new TempDir();
const SEAL_PNG = sealPng(240, 20).toString('base64');

interface Principal {
  clientId: string;
  headers: Record<string, string>;
}
/** The unit's business system that seals its documents (a user of its seals). */
let sealer: Principal;
/** The unit's approver of seal use. */
let approver: Principal;
/** A system nobody named in any rule. */
let stranger: Principal;

interface UnitSeal {
  cert: CertificateView & { keyPath?: string };
  seal: SealView;
  /** Signs dataToSign as the UKey would (openssl with the key this test made). */
  sign?: (data: Buffer) => Buffer;
}
let p256Seal: UnitSeal;
let sm2Seal: UnitSeal;

async function register(name: string, operations: string[]): Promise<Principal> {
  const { client, apiKey } = await p.gateway!.get(ClientsService).register({ name, department: 'tests', operations, regionCodes: ['450100'] });
  return { clientId: client.id, headers: { 'x-api-key': apiKey } };
}

async function unitSeal(kind: 'p256' | 'sm2', sealKind = 'official'): Promise<UnitSeal> {
  const { csr, keyPath } = opensslCsr(dir, kind);
  const uscc = makeUscc();
  const c = await api<CertificateView>(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr, unit: { name: `南宁市${kind}科技有限公司`, uscc, regionCode: '450100', accountNo: '4501000001' } });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const s = await api<SealView>(p.baseUrl, 'POST', '/api/v1/seals', { kind: sealKind, name: `南宁市${kind}科技有限公司`, image: SEAL_PNG, widthMm: 40, heightMm: 40, certificateSerial: c.body.serial });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const sign = (data: Buffer) => {
    const inFile = dir.file(`tbs-${Date.now()}-${Math.random()}`, data);
    const out = `${inFile}.sig`;
    openssl(['dgst', ...(kind === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : ['-sha256']), '-sign', keyPath, '-out', out, inFile]);
    return readFileSync(out);
  };
  return { cert: { ...c.body, keyPath }, seal: s.body, sign };
}

async function putRule(sealId: string, rule: { users: string[]; approvers?: string[]; approvalRequired: boolean }) {
  const r = await api(p.baseUrl, 'PUT', `/api/v1/seals/${sealId}/use-rule`, { users: { clientIds: rule.users }, approvers: { clientIds: rule.approvers ?? [] }, approvalRequired: rule.approvalRequired });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function uploadPdf(bytes: Uint8Array, who: Principal = sealer, contentType = 'application/pdf', path = '/api/v1/documents?fileName=declaration.pdf') {
  const res = await fetch(p.baseUrl + path, { method: 'POST', headers: { ...who.headers, 'content-type': contentType }, body: bytes });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

async function upload(bytes: Uint8Array, who: Principal = sealer): Promise<DocumentView> {
  const r = await uploadPdf(bytes, who);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as DocumentView;
}

async function requestUse(doc: DocumentView, seal: SealView, placements: PlacementSpec[], who: Principal = sealer) {
  return api<any>(p.baseUrl, 'POST', `/api/v1/documents/${doc.id}/seal-use-requests`, { sealId: seal.id, placements, purpose: '2026年度社会保险缴费基数申报表' }, who.headers);
}

async function approvedRequest(doc: DocumentView, seal: SealView, placements: PlacementSpec[]): Promise<SealUseRequestView> {
  const r = await requestUse(doc, seal, placements);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  if (r.body.status === 'approved') return r.body;
  const d = await api<SealUseRequestView>(p.baseUrl, 'POST', `/api/v1/seal-use-requests/${r.body.id}/decision`, { decision: 'approve' }, approver.headers);
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  expect(d.body.status).toBe('approved');
  return d.body;
}

async function sealRequest(doc: DocumentView, seal: SealView, request: SealUseRequestView, mode: 'server' | 'deferred', who: Principal = sealer) {
  return api<any>(p.baseUrl, 'POST', `/api/v1/documents/${doc.id}/seal-requests`, { sealId: seal.id, sealUseRequestId: request.id, mode, location: '南宁' }, who.headers);
}

/** Prepare, sign on "the UKey", embed: the sealed document. */
async function sealDeferred(doc: DocumentView, unit: UnitSeal, request: SealUseRequestView): Promise<SealedDocumentView> {
  const prep = await sealRequest(doc, unit.seal, request, 'deferred');
  expect(prep.status, JSON.stringify(prep.body)).toBe(201);
  const session = (prep.body as { session: SealSessionView }).session;
  const done = await api<SealedDocumentView>(p.baseUrl, 'POST', `/api/v1/documents/seal-sessions/${session.sessionId}/signature`, signaturesFor(unit, session), sealer.headers);
  expect(done.status, JSON.stringify(done.body)).toBe(201);
  return done.body;
}

/** What the UKey sends back: the signature over dataToSign and, for an SM2 seal, over the SES TBS_Sign too. */
function signaturesFor(unit: UnitSeal, session: SealSessionView): { signature: string; sesSignature?: string } {
  return {
    signature: unit.sign!(Buffer.from(session.dataToSign, 'base64')).toString('base64'),
    ...(session.ses ? { sesSignature: unit.sign!(Buffer.from(session.ses.dataToSign, 'base64')).toString('base64') } : {}),
  };
}

/**
 * The sealed PDF with the CMS of its last signature edited in place (same length, /Contents is
 * outside the ByteRange): what an attacker rewriting the unsigned SES_Signature would produce.
 */
function withContentsEdited(pdf: Buffer, edit: (cms: Buffer) => void): Buffer {
  const sig = readPdfSignatures(pdf).pop()!;
  const [, start, end] = sig.byteRange;
  const hex = pdf.subarray(start + 1, end - 1).toString('latin1');
  const cms = Buffer.from(hex, 'hex');
  edit(cms);
  const out = Buffer.from(pdf);
  out.write(cms.toString('hex'), start + 1, 'latin1');
  return out;
}

/** The sealed PDF with the CMS of its last signature replaced (zero-padded into /Contents). */
function withCms(pdf: Buffer, cms: Uint8Array): Buffer {
  const sig = readPdfSignatures(pdf).pop()!;
  const [, start, end] = sig.byteRange;
  const room = end - 1 - (start + 1);
  const hex = Buffer.from(cms).toString('hex');
  expect(hex.length).toBeLessThanOrEqual(room);
  const out = Buffer.from(pdf);
  out.write(hex.padEnd(room, '0'), start + 1, 'latin1');
  return out;
}

/**
 * The same SM2 CMS signature (signed attributes, signature value, certificates) with its unsigned
 * attributes rebuilt: another SES_Signature, or none. What a thief can do without the key.
 */
function rebuiltSm2Cms(pdf: Buffer, sesSignature?: Uint8Array): Uint8Array {
  const sig = readPdfSignatures(pdf).pop()!;
  const parsed = parseSignedData(derOf(sig.contents));
  const si = parsed.signerInfos[0]!;
  const [signer, ...chain] = parsed.certificates;
  const der = si.signedAttributesDer!;
  return assembleSignedData({ prepared: { family: 'gbt35275', der, digestAlgorithm: 'sm3', dataToSign: der, digestToSign: new Uint8Array(32) }, signature: si.signature, signerCertificate: signer!, chain, ...(sesSignature ? { sesSignature } : {}) });
}

const pemDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

/** A seal's DER as issued (.esl). */
async function sealDerOf(sealId: string): Promise<Uint8Array> {
  const esl = await fetch(`${p.baseUrl}/api/v1/seals/${sealId}.esl`, { headers: defaultHeaders });
  expect(esl.status).toBe(200);
  return new Uint8Array(await esl.arrayBuffer());
}

/** An SES_Signature with `sealDer` over `digest`, signed with the unit's key (as a thief with the UKey, or ecert itself, would). */
function sesWith(unit: UnitSeal, sealDer: Uint8Array, digest: Uint8Array, propertyInfo = 'PDF Signature1 /ByteRange [0 1 2 3]', timeInfo?: Date): Uint8Array {
  const prepared = prepareSesSignatureV4({ seal: sealDer, signerCertificate: pemDer(unit.cert.certificatePem), signatureAlgorithmOid: '1.2.156.10197.1.501', dataHash: digest, propertyInfo, ...(timeInfo ? { timeInfo } : {}) });
  return assembleSesSignatureV4(prepared, unit.sign!(Buffer.from(prepared.dataToSign)));
}

/** The SES_Signature carried in a signature's CMS (unsigned attribute), as libs/cms reads it. */
function sesOf(pdf: Buffer): Buffer {
  const sig = readPdfSignatures(pdf).pop()!;
  const si = parseSignedData(derOf(sig.contents)).signerInfos[0]!;
  const attr = si.unsignedAttributes.find((a) => a.oid === CMS_OID.sesSignature);
  expect(attr, 'the CMS carries an SES_Signature').toBeDefined();
  return Buffer.from(attr!.values[0]!.raw);
}

async function content(doc: { id: string }, who: Principal = sealer): Promise<Buffer> {
  const res = await fetch(`${p.baseUrl}/api/v1/documents/${doc.id}/content`, { headers: who.headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/pdf');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.pdf"$/);
  return Buffer.from(await res.arrayBuffer());
}

async function verify(bytes: Uint8Array): Promise<DocumentVerificationReport> {
  const r = await uploadPdf(bytes, sealer, 'application/pdf', '/api/v1/documents/verify');
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as DocumentVerificationReport;
}

/** A PDF of two pages whose second one shows nothing (no content stream): a blank letterhead. */
function pdfWithBlankSecondPage(): Buffer {
  const stream = 'BT /F1 12 Tf 72 770 Td (page one of a declaration) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  return tablePdf(objects);
}

function tablePdf(objects: string[]): Buffer {
  let out = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * An incremental update adding a page to samplePdf's page tree (object 2) after it was signed: what
 * someone slipping a page into a sealed declaration would write.
 */
function appendPage(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
  const size = Math.max(...[...text.matchAll(/\/Size (\d+)/g)].map((m) => Number(m[1])));
  const root = [...text.matchAll(/\/Root (\d+ \d+ R)/g)].pop()![1];
  const page = size;
  const stream = 'BT /F1 12 Tf 72 770 Td (a page added after sealing) Tj ET';
  let out = '\n';
  const offsets: Record<number, number> = {};
  const add = (n: number, body: string) => {
    offsets[n] = pdf.length + Buffer.byteLength(out, 'latin1');
    out += `${n} 0 obj\n${body}\nendobj\n`;
  };
  add(page, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${page + 1} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`);
  add(page + 1, `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  add(2, `<< /Type /Pages /Kids [3 0 R ${page} 0 R] /Count 2 >>`);
  const xref = pdf.length + Buffer.byteLength(out, 'latin1');
  const entry = (n: number) => `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  out += `xref\n2 1\n${entry(2)}${page} 2\n${entry(page)}${entry(page + 1)}trailer\n<< /Size ${page + 2} /Root ${root} /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(out, 'latin1')]);
}

let tsa: TestTsa;
let untrustedTsa: TestTsa;

/** An RFC 3161 token over a signature value from one of the test TSAs (what a B-T producer embeds). */
async function timestampFrom(authority: TestTsa, signatureValue: Uint8Array): Promise<Uint8Array> {
  const { der, nonce } = buildTimestampRequest(signatureValue);
  const res = await fetch(authority.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: der });
  expect(res.status).toBe(200);
  return readTimestampResponse(new Uint8Array(await res.arrayBuffer()), nonce);
}

beforeAll(async () => {
  // Every sealing in this file is PAdES B-T / GB/T 35275 with a timestamp: a real RFC 3161 TSA (openssl ts).
  tsa = await startTestTsa();
  // The same TSA is trusted for proof of existence in verification (ECERT_TSA_TRUST); `untrustedTsa` is not.
  untrustedTsa = await startTestTsa();
  p = await startTestPlatform({ env: { ECERT_TSA_URL: tsa.url, ECERT_TSA_TRUST: dir.file('tsa-trust.pem', tsa.certificatePem) } });
  sealer = await register('单位用印系统', ['documents:seal', 'documents:read', 'documents:verify', 'seals:read']);
  approver = await register('单位用印审批', ['seals:approve-use', 'documents:read']);
  stranger = await register('无关系统', ['documents:seal', 'documents:read', 'documents:verify', 'seals:approve-use']);
  p256Seal = await unitSeal('p256');
  sm2Seal = await unitSeal('sm2');
  for (const s of [p256Seal, sm2Seal]) await putRule(s.seal.id, { users: [sealer.clientId], approvers: [approver.clientId], approvalRequired: true });
}, 120_000);

afterAll(async () => {
  await p?.close();
  await tsa?.close();
  await untrustedTsa?.close();
  dir.remove();
});

describe('documents in and out', () => {
  it('registers an uploaded PDF (raw or multipart) with its SHA-256, pages and retention; the same bytes again are the same document', async () => {
    const pdf = samplePdf('document upload');
    const doc = await upload(pdf);
    expect(doc).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: pdf.length, pages: 1, fileName: 'declaration.pdf', uploadedBy: { clientId: sealer.clientId } });
    expect(new Date(doc.retainedUntil).getTime() - new Date(doc.uploadedAt).getTime()).toBe(180 * 24 * 3600 * 1000);
    expect((await upload(pdf)).id).toBe(doc.id);

    const boundary = '----ecertdocs';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="申报表.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      samplePdf('multipart upload'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const multipart = await uploadPdf(body, sealer, `multipart/form-data; boundary=${boundary}`, '/api/v1/documents');
    expect(multipart.status, JSON.stringify(multipart.body)).toBe(201);
    expect(multipart.body.fileName).toBe('申报表.pdf');

    expect(Buffer.compare(await content(doc), pdf)).toBe(0);
    const got = await api<DocumentView>(p.baseUrl, 'GET', `/api/v1/documents/${doc.id}`, undefined, sealer.headers);
    expect(got.body.id).toBe(doc.id);
    // Nobody else sees it (not even that it exists).
    expect((await api(p.baseUrl, 'GET', `/api/v1/documents/${doc.id}`, undefined, stranger.headers)).status).toBe(404);
  });

  it('refuses what is not a sealable PDF: not a PDF (415), encrypted (422 pdf_encrypted), broken (422)', async () => {
    const png = await uploadPdf(Buffer.from(SEAL_PNG, 'base64'), sealer, 'application/octet-stream');
    expect(png.status).toBe(415);
    expect(png.body).toMatchObject({ code: 'document_type_unsupported', field: 'file' });
    for (const f of [PDF_FIXTURES.encryptedOwnerOnly, PDF_FIXTURES.encryptedUserPassword]) {
      const r = await uploadPdf(readFileSync(f.path));
      expect(r.status, f.file).toBe(422);
      expect(r.body).toMatchObject({ code: 'pdf_encrypted', field: 'file' });
    }
    const broken = await uploadPdf(readFileSync(PDF_FIXTURES.broken.path));
    expect(broken.status).toBe(422);
    expect(broken.body.field).toBe('file');
  });
});

describe('the rules of use (第十四条, 第十六条)', () => {
  it('only the unit administrator (seals:manage-use in the region) sets a rule; it is versioned', async () => {
    const r = await api(p.baseUrl, 'PUT', `/api/v1/seals/${p256Seal.seal.id}/use-rule`, { users: { clientIds: [stranger.clientId] }, approvalRequired: false }, sealer.headers);
    expect(r.status).toBe(403);
    const current = await api(p.baseUrl, 'GET', `/api/v1/seals/${p256Seal.seal.id}/use-rule`);
    expect(current.body).toMatchObject({ users: { clientIds: [sealer.clientId] }, approvers: { clientIds: [approver.clientId] }, approvalRequired: true, version: 1 });
    const stale = await api(p.baseUrl, 'PUT', `/api/v1/seals/${p256Seal.seal.id}/use-rule`, { users: { clientIds: [sealer.clientId] }, approvers: { clientIds: [approver.clientId] }, approvalRequired: true, expectedVersion: 0 });
    expect(stale.status).toBe(409);
  });

  it('a seal without a rule cannot be used; a caller the rule does not name cannot ask', async () => {
    const other = await unitSeal('p256');
    const doc = await upload(samplePdf('no rule yet'));
    const none = await requestUse(doc, other.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    expect(none.status).toBe(422);
    expect(none.body).toMatchObject({ code: 'seal_use_rule_missing', field: 'sealId' });
    const theirs = await upload(samplePdf('a stranger'), stranger);
    const notNamed = await requestUse(theirs, p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }], stranger);
    expect(notNamed.status).toBe(403);
    expect(notNamed.body.code).toBe('seal_use_not_permitted');
  });

  it('the requester cannot approve their own request, an approver the rule does not name cannot either, a rejection needs a reason', async () => {
    const doc = await upload(samplePdf('approval rules'));
    const r = await requestUse(doc, p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('pending');
    const own = await api(p.baseUrl, 'POST', `/api/v1/seal-use-requests/${r.body.id}/decision`, { decision: 'approve' }, { ...sealer.headers });
    // The sealer does not even hold seals:approve-use; with it, it would be seal_use_self_approval.
    expect(own.status).toBe(403);
    const notTheirs = await api(p.baseUrl, 'POST', `/api/v1/seal-use-requests/${r.body.id}/decision`, { decision: 'approve' }, stranger.headers);
    expect(notTheirs.status).toBe(404);
    const noReason = await api(p.baseUrl, 'POST', `/api/v1/seal-use-requests/${r.body.id}/decision`, { decision: 'reject' }, approver.headers);
    expect(noReason.status).toBe(400);
    const queue = await api(p.baseUrl, 'GET', '/api/v1/seal-use-requests?status=pending', undefined, approver.headers);
    expect(queue.body.items.map((i: SealUseRequestView) => i.id)).toContain(r.body.id);
    // The approver may read the document it decides on.
    expect((await content(doc, approver)).length).toBe(doc.size);
    const rejected = await api<SealUseRequestView>(p.baseUrl, 'POST', `/api/v1/seal-use-requests/${r.body.id}/decision`, { decision: 'reject', reason: '不是本单位的文件' }, approver.headers);
    expect(rejected.body).toMatchObject({ status: 'rejected', decision: { decision: 'reject', by: { clientId: approver.clientId }, reason: '不是本单位的文件' } });
    const sealed = await sealRequest(doc, p256Seal.seal, rejected.body, 'deferred');
    expect(sealed.status).toBe(422);
    expect(sealed.body.code).toBe('seal_use_request_not_approved');
  });

  it('nobody approves their own request, even when the rule names them approver too', async () => {
    const both = await register('申请兼审批', ['documents:seal', 'documents:read', 'seals:approve-use']);
    const unit = await unitSeal('p256');
    await putRule(unit.seal.id, { users: [both.clientId], approvers: [both.clientId], approvalRequired: true });
    const doc = await upload(samplePdf('own approval'), both);
    const r = await requestUse(doc, unit.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }], both);
    expect(r.status).toBe(201);
    const own = await api(p.baseUrl, 'POST', `/api/v1/seal-use-requests/${r.body.id}/decision`, { decision: 'approve' }, both.headers);
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('seal_use_self_approval');
  });

  it('a page that shows nothing is never sealed: 422 pdf_blank_page naming the page', async () => {
    const doc = await upload(pdfWithBlankSecondPage());
    expect(doc.pages).toBe(2);
    const r = await requestUse(doc, p256Seal.seal, [{ type: 'coordinates', page: 2, xMm: 100, yMm: 100 }]);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body).toMatchObject({ code: 'pdf_blank_page', field: 'placements', page: 2 });
    const off = await requestUse(doc, p256Seal.seal, [{ type: 'coordinates', page: 3, xMm: 100, yMm: 100 }]);
    expect(off.status).toBe(422);
    expect(off.body).toMatchObject({ code: 'pdf_page_out_of_range', page: 3 });
  });
});

describe('sealing and verifying', () => {
  let first: SealedDocumentView;
  let firstBytes: Buffer;
  let twice: Buffer;

  it('deferred (UKey, P-256): approve → prepare → sign → embed; the sealed PDF verifies TOTAL_PASSED', async () => {
    const doc = await upload(samplePdf('ecert test material'));
    const request = await approvedRequest(doc, p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    const prep = await sealRequest(doc, p256Seal.seal, request, 'deferred');
    expect(prep.status, JSON.stringify(prep.body)).toBe(201);
    const session = (prep.body as { mode: 'deferred'; session: SealSessionView }).session;
    expect(session).toMatchObject({ family: 'pades', subFilter: 'ETSI.CAdES.detached', digestAlgorithm: 'sha256', signatureAlgorithm: 'ecdsa-with-sha256', placements: [{ page: 1, xMm: 130, yMm: 180, widthMm: 40, heightMm: 40 }] });
    expect(new Date(session.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    // A signature by another key is refused, and the session stays open for the right one.
    const wrong = sm2Seal.sign!(Buffer.from(session.dataToSign, 'base64'));
    const bad = await api(p.baseUrl, 'POST', `/api/v1/documents/seal-sessions/${session.sessionId}/signature`, { signature: wrong.toString('base64') }, sealer.headers);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'signature_invalid', field: 'signature' });

    const signature = p256Seal.sign!(Buffer.from(session.dataToSign, 'base64'));
    const done = await api<SealedDocumentView>(p.baseUrl, 'POST', `/api/v1/documents/seal-sessions/${session.sessionId}/signature`, { signature: signature.toString('base64') }, sealer.headers);
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    first = done.body;
    expect(first.document).toMatchObject({ derivedFrom: doc.id, pages: 1, sealing: { sealId: p256Seal.seal.id, sealUseRequestId: request.id, family: 'pades', mode: 'deferred' } });
    firstBytes = await content(first.document);
    expect(firstBytes.subarray(0, doc.size).equals(samplePdf('ecert test material'))).toBe(true);

    const report = await verify(firstBytes);
    expect(report.indication, JSON.stringify(report, null, 1)).toBe('TOTAL_PASSED');
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({
      indication: 'TOTAL_PASSED',
      family: 'pades',
      subFilter: 'ETSI.CAdES.detached',
      pages: [1],
      seal: { sealId: p256Seal.seal.id, status: 'active' },
      ecertRecord: { documentId: first.document.id, sealUseRequestId: request.id, mode: 'deferred' },
      // B-T: the TSA's token over the signature value, checked.
      timestamp: { valid: true, tsa: expect.stringContaining('test TSA'), problems: [] },
      certificateStatus: { status: 'active' },
    });
    expect(report.signatures[0].chain?.length).toBe(3);

    // The request is used; the session too.
    const again = await sealRequest(doc, p256Seal.seal, request, 'deferred');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'seal_use_request_used', sealedDocumentId: first.document.id });
    const replay = await api(p.baseUrl, 'POST', `/api/v1/documents/seal-sessions/${session.sessionId}/signature`, { signature: signature.toString('base64') }, sealer.headers);
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('seal_session_used');
  });

  it('seals twice (the unit, then an SM2 seal): both verify, the first signed bytes unchanged', async () => {
    const request = await approvedRequest(first.document, sm2Seal.seal, [{ type: 'coordinates', page: 1, xMm: 60, yMm: 200 }]);
    const second = await sealDeferred(first.document, sm2Seal, request);
    expect(second.signature).toMatchObject({ family: 'gbt35275', subFilter: 'adbe.pkcs7.detached' });
    twice = await content(second.document);
    expect(twice.subarray(0, firstBytes.length).equals(firstBytes)).toBe(true);
    const report = await verify(twice);
    expect(report.indication, JSON.stringify(report, null, 1)).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => [s.family, s.indication])).toEqual([
      ['pades', 'TOTAL_PASSED'],
      ['gbt35275', 'TOTAL_PASSED'],
    ]);
    expect(report.signatures[0].laterRevisions).toEqual([{ addsOnlySignaturesOrAnnotations: true, changedObjects: expect.any(Number), changes: [] }]);
    expect(report.signatures[1]).toMatchObject({ digestAlgorithm: 'sm3', seal: { sealId: sm2Seal.seal.id } });
    // Only the SM2 seal carries an SES_Signature.
    expect(report.signatures[0].sesSignature).toBeUndefined();
    expect(report.signatures[1].sesSignature).toMatchObject({ indication: 'TOTAL_PASSED', seal: { esId: sm2Seal.seal.esId, indication: 'TOTAL_PASSED' } });
  });

  describe('an SM2 seal carries its GB/T 38540 SES_Signature', () => {
    let sm2Sealed: Buffer;

    it('deferred: the session asks for a second signature over the TBS_Sign; both are checked; the report shows the seal inside', async () => {
      const doc = await upload(samplePdf('an SM2 declaration'));
      const request = await approvedRequest(doc, sm2Seal.seal, [{ type: 'coordinates', page: 1, xMm: 100, yMm: 200 }]);
      const prep = await sealRequest(doc, sm2Seal.seal, request, 'deferred');
      expect(prep.status, JSON.stringify(prep.body)).toBe(201);
      const session = (prep.body as { session: SealSessionView }).session;
      expect(session.ses).toMatchObject({ dataToSign: expect.any(String), digestToSign: expect.any(String) });
      const url = `/api/v1/documents/seal-sessions/${session.sessionId}/signature`;
      const good = signaturesFor(sm2Seal, session);

      // Without the SES signature, or with the CMS one in its place: refused, the session stays open.
      const missing = await api(p.baseUrl, 'POST', url, { signature: good.signature }, sealer.headers);
      expect(missing.status, JSON.stringify(missing.body)).toBe(400);
      expect(missing.body).toMatchObject({ field: 'sesSignature' });
      const swapped = await api(p.baseUrl, 'POST', url, { signature: good.signature, sesSignature: good.signature }, sealer.headers);
      expect(swapped.status, JSON.stringify(swapped.body)).toBe(422);
      expect(swapped.body).toMatchObject({ code: 'signature_invalid', field: 'sesSignature' });
      const byOther = await api(p.baseUrl, 'POST', url, { signature: good.signature, sesSignature: p256Seal.sign!(Buffer.from(session.ses!.dataToSign, 'base64')).toString('base64') }, sealer.headers);
      expect(byOther.status).toBe(422);

      // A token that signs digests signs ses.digestToSign (e = SM3(Z ‖ TBS_Sign)) instead: the same signature.
      const digestFile = dir.file(`ses-digest-${session.sessionId}.bin`, Buffer.from(session.ses!.digestToSign, 'base64'));
      openssl(['pkeyutl', '-sign', '-inkey', sm2Seal.cert.keyPath!, '-in', digestFile, '-out', `${digestFile}.sig`]);
      const overDigest = readFileSync(`${digestFile}.sig`).toString('base64');
      const done = await api<SealedDocumentView>(p.baseUrl, 'POST', url, { signature: good.signature, sesSignature: overDigest }, sealer.headers);
      expect(done.status, JSON.stringify(done.body)).toBe(201);
      sm2Sealed = await content(done.body.document);

      // What went in: the SES_Signature over the SM3 of the ByteRange, with the seal as issued, by the seal's certificate.
      const ses = decodeSesSignature(sesOf(sm2Sealed));
      const [sig] = readPdfSignatures(sm2Sealed);
      expect(Buffer.from(ses.toSign.dataHash).equals(Buffer.from(digestChunks(signedChunks(sm2Sealed, sig!.byteRange), 'sm3')))).toBe(true);
      expect(ses.seal.sealInfo.esId).toBe(sm2Seal.seal.esId);
      expect(Buffer.from(ses.cert).equals(Buffer.from(sm2Seal.cert.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))).toBe(true);
      expect(ses.toSign.propertyInfo).toMatch(/^PDF Signature\d+ \/ByteRange \[/);

      const report = await verify(sm2Sealed);
      expect(report.indication, JSON.stringify(report, null, 1)).toBe('TOTAL_PASSED');
      const s = report.signatures[0]!;
      expect(s.checks.find((c) => c.name === 'ses-signature')).toMatchObject({ result: 'passed' });
      expect(s.sesSignature).toMatchObject({
        indication: 'TOTAL_PASSED',
        seal: { esId: sm2Seal.seal.esId, name: sm2Seal.seal.name, indication: 'TOTAL_PASSED', maker: expect.stringContaining('Seal Maker') },
      });
      for (const name of ['signer-signature', 'signer-bound-to-seal', 'seal', 'data-hash', 'same-signer']) {
        expect(s.sesSignature!.checks.find((c) => c.name === name), name).toMatchObject({ result: 'passed' });
      }
      const html = await fetch(`${p.baseUrl}/api/v1/documents/verification-reports/${report.id}.html`, { headers: sealer.headers });
      expect(await html.text()).toContain('SES_Signature');
    });

    it('an SES_Signature whose dataHash was altered is named in the report (TOTAL_FAILED)', async () => {
      const ses = decodeSesSignature(sesOf(sm2Sealed));
      const tampered = withContentsEdited(sm2Sealed, (cms) => {
        const at = cms.lastIndexOf(Buffer.from(ses.toSign.dataHash));
        expect(at).toBeGreaterThan(0);
        cms[at] ^= 0x01;
      });
      const report = await verify(tampered);
      const s = report.signatures[0]!;
      expect(report.indication).toBe('TOTAL_FAILED');
      expect(s).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
      expect(s.reason).toMatch(/SES_Signature's dataHash/);
      // The CMS itself is intact: it is the SES_Signature that is named.
      expect(s.checks.find((c) => c.name === 'digest')?.result).toBe('passed');
      expect(s.checks.find((c) => c.name === 'signature')?.result).toBe('passed');
      expect(s.checks.find((c) => c.name === 'ses-signature')).toMatchObject({ result: 'failed', detail: expect.stringContaining('data-hash failed') });
      expect(s.sesSignature!.checks.find((c) => c.name === 'data-hash')?.result).toBe('failed');
    });

    it('an SES_Signature whose seal was altered is named in the report (TOTAL_FAILED)', async () => {
      const esId = Buffer.from(sm2Seal.seal.esId);
      const tampered = withContentsEdited(sm2Sealed, (cms) => {
        const at = cms.lastIndexOf(esId);
        expect(at).toBeGreaterThan(0);
        cms[at + esId.length - 1] = cms[at + esId.length - 1] === 0x30 ? 0x31 : 0x30;
      });
      const report = await verify(tampered);
      const s = report.signatures[0]!;
      expect(s.indication).toBe('TOTAL_FAILED');
      expect(s.checks.find((c) => c.name === 'ses-signature')?.result).toBe('failed');
      expect(s.sesSignature!.checks.find((c) => c.name === 'seal')?.result).toBe('failed');
      expect(s.sesSignature!.checks.find((c) => c.name === 'seal.maker-signature')?.result).toBe('failed');
      expect(s.sesSignature!.checks.find((c) => c.name === 'signer-signature')?.result).toBe('failed');
    });

    it("judges the SES_Signature at ecert's record of it; a stripped one fails and names no seal", async () => {
      const ok = (await verify(sm2Sealed)).signatures[0]!;
      expect(ok).toMatchObject({ indication: 'TOTAL_PASSED', seal: { sealId: sm2Seal.seal.id }, sesSignature: { validatedAt: { basis: 'ecert-record' }, seal: { sealId: sm2Seal.seal.id } } });
      expect(ok.sesSignature!.checks.find((c) => c.name === 'recorded-seal')).toMatchObject({ result: 'passed' });

      // The CMS signature left as it was, its SES_Signature removed: ecert's record says it had one.
      const stripped = await verify(withCms(sm2Sealed, rebuiltSm2Cms(sm2Sealed)));
      const s = stripped.signatures[0]!;
      expect(s.checks.find((c) => c.name === 'signature')?.result).toBe('passed');
      expect(s).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
      expect(s.reason).toMatch(/SES_Signature ecert embedded .* was removed/);
      expect(s.seal).toBeUndefined();
      expect(s.ecertRecord).toBeDefined();
    });

    it('another seal of the same certificate swapped into the SES_Signature: judged now, not the recorded seal (TOTAL_FAILED), and a seal that is not in good standing is not accepted', async () => {
      const other = await api<SealView>(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'department', name: '人事部', image: SEAL_PNG, widthMm: 40, heightMm: 40, certificateSerial: sm2Seal.cert.serial });
      expect(other.status, JSON.stringify(other.body)).toBe(201);
      const [sig] = readPdfSignatures(sm2Sealed);
      const digest = digestChunks(signedChunks(sm2Sealed, sig!.byteRange), 'sm3');
      const swapped = withCms(sm2Sealed, rebuiltSm2Cms(sm2Sealed, sesWith(sm2Seal, await sealDerOf(other.body.id), digest, decodeSesSignature(sesOf(sm2Sealed)).toSign.propertyInfo)));
      const s = (await verify(swapped)).signatures[0]!;
      expect(s.sesSignature).toMatchObject({ validatedAt: { basis: 'now' }, seal: { sealId: other.body.id } });
      expect(s.sesSignature!.checks.find((c) => c.name === 'recorded-seal')).toMatchObject({ result: 'failed' });
      expect(s).toMatchObject({ indication: 'TOTAL_FAILED' });
      expect(s.reason).toMatch(/another seal than the one ecert sealed/);

      // Signed outside ecert with the same UKey, SES_Signature of ecert's seal: no record, judged now.
      const outside = prepareSignature(samplePdf('SM2, signed elsewhere'), { placements: [{ page: 1, xMm: 130, yMm: 180, widthMm: 40, heightMm: 40 }], image: { png: Buffer.from(SEAL_PNG, 'base64') }, subFilter: 'adbe.pkcs7.detached', contentsBytes: 65536 });
      const contentDigest = digestChunks(signedChunks(outside.pdf, outside.byteRange), 'sm3');
      const certDer = pemDer(sm2Seal.cert.certificatePem);
      const attrs = prepareSignedAttributes({ family: 'gbt35275', contentDigest, signerCertificate: certDer });
      const signature = checkSignatureOverAttributes(attrs, sm2Seal.sign!(Buffer.from(attrs.dataToSign)), certDer);
      const chain = sm2Seal.cert.chainPem.map(pemDer);
      const elsewhere = (sesSignature?: Uint8Array) => Buffer.from(embedSignature(outside, assembleSignedData({ prepared: attrs, signature, signerCertificate: certDer, chain, ...(sesSignature ? { sesSignature } : {}) })));
      const withSes = elsewhere(sesWith(sm2Seal, await sealDerOf(other.body.id), contentDigest));
      expect((await verify(withSes)).signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', seal: { sealId: other.body.id }, sesSignature: { validatedAt: { basis: 'now' } } });
      // A seal of a maker certificate since re-issued (made before id-kp-ecertSealMaking), stored here: its
      // SES_Signature is judged with the same maker lists as 验章 (createDate, stored here, legacy makers).
      const registry = p.services.cert!.get(CaRegistry);
      const current = registry.get('sm2-seal-maker');
      const spki = parseCertificate(new Uint8Array(current.certificate)).spki;
      const legacy = await buildCertificate({
        issuer: issuerFromCertificate(new Uint8Array(registry.get('sm2-issuing').certificate)),
        signer: await registry.signer('sm2-issuing'),
        subjectName: buildName(caSubject('sm2', 'seal-maker')),
        subjectSpki: spki,
        serialNumber: newSerialNumber(),
        notBefore: current.notBefore,
        notAfter: current.notAfter,
        extensions: certificateProfiles.sealMaker({ subjectSpki: spki, crlUrl: 'http://127.0.0.1/crl', ocspUrl: 'http://127.0.0.1/ocsp', caIssuersUrl: 'http://127.0.0.1/ca' }).filter((e) => e.extnID !== '2.5.29.37'),
      });
      await p.db.query("UPDATE cert.ca SET certificate = $1, serial = $2 WHERE id = 'sm2-seal-maker'", [Buffer.from(legacy), parseCertificate(legacy).serialNumberHex]);
      await registry.reload();
      p.services.seal!.get(CertServiceClient).forgetCas();
      let legacySeal: SealView;
      try {
        const made = await api<SealView>(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'special', purpose: 'finance', name: '财务专用章', image: SEAL_PNG, widthMm: 40, heightMm: 40, certificateSerial: sm2Seal.cert.serial });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        legacySeal = made.body;
      } finally {
        expect((await p.services.cert!.get(InitializeCasUseCase).execute()).renewed).toEqual(['sm2-seal-maker']);
        p.services.seal!.get(CertServiceClient).forgetCas();
      }
      const byLegacyMaker = (await verify(elsewhere(sesWith(sm2Seal, await sealDerOf(legacySeal.id), contentDigest)))).signatures[0]!;
      expect(byLegacyMaker.sesSignature, JSON.stringify(byLegacyMaker.sesSignature?.checks, null, 1)).toMatchObject({ indication: 'TOTAL_PASSED', seal: { sealId: legacySeal.id } });
      expect(byLegacyMaker.indication).toBe('TOTAL_PASSED');

      // An SES_Signature that says it was made later than the time it is judged at: refused.
      const fromTheFuture = (await verify(elsewhere(sesWith(sm2Seal, await sealDerOf(other.body.id), contentDigest, undefined, new Date(Date.now() + 3_600_000))))).signatures[0]!;
      expect(fromTheFuture).toMatchObject({ indication: 'TOTAL_FAILED' });
      expect(fromTheFuture.sesSignature!.checks.find((c) => c.name === 'signing-time')).toMatchObject({ result: 'failed' });
      // Without any SES_Signature, by a certificate bound to ecert's seals: no seal in the document, none named.
      const bare = (await verify(elsewhere())).signatures[0]!;
      expect(bare).toMatchObject({ indication: 'INDETERMINATE' });
      expect(bare.checks.find((c) => c.name === 'ses-signature')).toMatchObject({ result: 'indeterminate' });
      expect(bare.seal).toBeUndefined();

      // The seal inside revoked here: without a proof of existence of this SES_Signature, not accepted.
      await p.db.query("UPDATE seal.seal SET status = 'revoked', status_changed_at = now() WHERE id = $1", [other.body.id]);
      const revoked = (await verify(withSes)).signatures[0]!;
      expect(revoked).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE' });
      expect(revoked.sesSignature!.checks.find((c) => c.name === 'seal-standing')).toMatchObject({ result: 'indeterminate' });
      // ecert's own sealing with a seal suspended later: its record came first (passed, warned).
      await p.db.query("UPDATE seal.seal SET status = 'suspended', status_changed_at = now() WHERE id = $1", [sm2Seal.seal.id]);
      try {
        const later = (await verify(sm2Sealed)).signatures[0]!;
        expect(later.indication, JSON.stringify(later, null, 1)).toBe('TOTAL_PASSED');
        expect(later.warnings.join(' ')).toMatch(/seal is suspended/);
      } finally {
        await p.db.query("UPDATE seal.seal SET status = 'active' WHERE id = $1", [sm2Seal.seal.id]);
      }
    });
  });

  it.skipIf(!hasPeer('pdfsig') || !hasPeer('certutil') || !hasPeer('qpdf'))('pdfsig says "Signature is Valid" with ecert\'s root trusted; qpdf --check finds no errors', async () => {
    const pemOf = async (caId: string) => {
      const r = await fetch(`${p.baseUrl}/pki/ca/${caId}.crt`);
      return `-----BEGIN CERTIFICATE-----\n${Buffer.from(await r.arrayBuffer()).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----`;
    };
    const nss = await makeNssDb(join(dir.path, 'nss'), await pemOf('ecdsa-root'), { intermediatesPem: [await pemOf('ecdsa-issuing')] });
    const path = dir.file('sealed-twice.pdf', twice);
    const r = await pdfsigReport(path, { nssDir: nss });
    expect(r.signatures).toHaveLength(2);
    const ecdsa = r.signatures.find((s) => s.signatureType === 'ETSI.CAdES.detached')!;
    expect(ecdsa.signatureValidation, r.stdout).toBe('Signature is Valid.');
    expect(ecdsa.totalDocumentSigned).toBe(false);
    // The chain and ecert's OCSP answer satisfy NSS (the SSL-client usage verifies). poppler checks
    // the email-signer usage, which NSS grants only with emailProtection in the EKU; ecert's
    // subscriber profile has clientAuth + documentSigning, so pdfsig says "Unknown issue with
    // Certificate" until the profile changes (docs/documents.md, "Peers").
    const signerPem = dir.file('signer.pem', p256Seal.cert.certificatePem);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'signer', '-t', ',,', '-a', '-i', signerPem]);
    expect(execFileSync('certutil', ['-V', '-d', `sql:${nss}`, '-u', 'C', '-n', 'signer'], { encoding: 'utf8' })).toContain('certificate is valid');
    expect(['Certificate is Trusted.', 'Unknown issue with Certificate or corrupted data.']).toContain(ecdsa.certificateValidation);
    const once = await pdfsigReport(dir.file('sealed-once.pdf', firstBytes), { nssDir: nss });
    expect(once.signatures[0].signatureValidation, once.stdout).toBe('Signature is Valid.');
    expect(once.signatures[0].totalDocumentSigned).toBe(true);
    const check = await qpdfCheck(path);
    expect(check.errors, JSON.stringify(check)).toEqual([]);
  });

  it('a byte changed inside the signed range is TOTAL_FAILED HASH_FAILURE', async () => {
    const tampered = Buffer.from(firstBytes);
    const at = tampered.indexOf('ecert test material');
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'E'.charCodeAt(0);
    const report = await verify(tampered);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    expect(report.signatures[0].reason).toMatch(/changed/);
  });

  it('a signature copied into another document is TOTAL_FAILED HASH_FAILURE', async () => {
    const [original] = readPdfSignatures(firstBytes);
    const png = Buffer.from(SEAL_PNG, 'base64');
    const other = prepareSignature(samplePdf('another declaration'), { placements: [{ page: 1, xMm: 130, yMm: 180, widthMm: 40, heightMm: 40 }], image: { png }, subFilter: 'ETSI.CAdES.detached' });
    const report = await verify(Buffer.from(embedSignature(other, original!.contents)));
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  it('a page added after signing is reported: TOTAL_FAILED FORMAT_FAILURE, the change named', async () => {
    const added = appendPage(firstBytes);
    const report = await verify(added);
    expect(report.indication, JSON.stringify(report, null, 1)).toBe('TOTAL_FAILED');
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(report.signatures[0].laterRevisions.some((r) => !r.addsOnlySignaturesOrAnnotations)).toBe(true);
    expect(report.signatures[0].checks.find((c) => c.name === 'modifications')?.result).toBe('failed');
  });

  it('the report is kept and rendered as HTML for a person', async () => {
    const report = await verify(firstBytes);
    const res = await fetch(`${p.baseUrl}/api/v1/documents/verification-reports/${report.id}.html`, { headers: sealer.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('TOTAL_PASSED');
    expect(html).toContain(p256Seal.seal.name);
    const direct = await uploadPdf(firstBytes, sealer, 'application/pdf', '/api/v1/documents/verify?format=html');
    expect(direct.status).toBe(200);
    expect(String(direct.body)).toContain('电子签章验证报告');
    expect((await api(p.baseUrl, 'GET', `/api/v1/documents/verification-reports/${report.id}`, undefined, stranger.headers)).status).toBe(404);
  });

  it("another producer's signature (qpdf's test file): the cryptography checked, INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND under ecert's roots", async () => {
    const report = await verify(readFileSync(PDF_FIXTURES.signed.path));
    expect(report.signatures).toHaveLength(1);
    const [s] = report.signatures;
    expect(s, JSON.stringify(s, null, 1)).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    expect(s!.checks.find((c) => c.name === 'digest')?.result).toBe('passed');
    expect(s!.checks.find((c) => c.name === 'signature')?.result).toBe('passed');
    expect(s!.seal).toBeUndefined();
  });

  it('an unsigned PDF is INDETERMINATE with no signature; an encrypted one is a 4xx', async () => {
    const report = await verify(samplePdf('never signed'));
    expect(report).toMatchObject({ indication: 'INDETERMINATE', signatures: [] });
    const enc = await uploadPdf(readFileSync(PDF_FIXTURES.encryptedOwnerOnly.path), sealer, 'application/pdf', '/api/v1/documents/verify');
    expect(enc.status).toBeGreaterThanOrEqual(400);
    expect(enc.status).toBeLessThan(500);
  });
});

describe('what may not be sealed', () => {
  it('an approved request seals exactly its document: another document, even with the same content otherwise, is refused', async () => {
    const a = await upload(samplePdf('document A'));
    const b = await upload(samplePdf('document B'));
    const request = await approvedRequest(a, p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    const r = await sealRequest(b, p256Seal.seal, request, 'deferred');
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'seal_use_request_mismatch', field: 'sealUseRequestId' });
    const otherSeal = await sealRequest(a, sm2Seal.seal, request, 'deferred');
    expect(otherSeal.status).toBe(422);
    expect(otherSeal.body.code).toBe('seal_use_request_mismatch');
    const placements = await api(p.baseUrl, 'POST', `/api/v1/documents/${a.id}/seal-requests`, { sealId: p256Seal.seal.id, sealUseRequestId: request.id, mode: 'deferred', placements: [{ type: 'coordinates', page: 1, xMm: 20, yMm: 20 }] }, sealer.headers);
    expect(placements.status).toBe(422);
    expect(placements.body).toMatchObject({ code: 'seal_use_request_mismatch', field: 'placements' });
  });

  it('an unapproved (pending) request is refused; a key on a UKey is never signed server-side', async () => {
    const doc = await upload(samplePdf('pending'));
    const r = await requestUse(doc, p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    const pending = await sealRequest(doc, p256Seal.seal, r.body, 'deferred');
    expect(pending.status).toBe(422);
    expect(pending.body.code).toBe('seal_use_request_not_approved');
    const approved = await approvedRequest(await upload(samplePdf('server for a UKey')), p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    const server = await sealRequest({ id: approved.documentId } as DocumentView, p256Seal.seal, approved, 'server');
    expect(server.status).toBe(409);
    expect(server.body).toMatchObject({ code: 'deferred_signing_required', field: 'mode' });
  });

  it("revoked after sealing: ecert's record proves the signature came first (TOTAL_PASSED, warned); the same key's signature ecert never made is INDETERMINATE REVOKED_NO_POE", async () => {
    const unit = await unitSeal('p256');
    await putRule(unit.seal.id, { users: [sealer.clientId], approvers: [approver.clientId], approvalRequired: true });
    const doc = await upload(samplePdf('revoked later'));
    const sealed = await sealDeferred(doc, unit, await approvedRequest(doc, unit.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]));
    const bytes = await content(sealed.document);

    // Signed with the same key outside ecert (the UKey used by another program): no record of it here.
    const certDer = new Uint8Array(Buffer.from(unit.cert.certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    const chain = unit.cert.chainPem.map((pem) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')));
    const outside = prepareSignature(samplePdf('signed elsewhere'), { placements: [{ page: 1, xMm: 130, yMm: 180, widthMm: 40, heightMm: 40 }], image: { png: Buffer.from(SEAL_PNG, 'base64') }, subFilter: 'ETSI.CAdES.detached' });
    const attributes = prepareSignedAttributes({ family: 'pades', contentDigest: digestChunks(signedChunks(outside.pdf, outside.byteRange), 'sha256'), signerCertificate: certDer });
    const signature = checkSignatureOverAttributes(attributes, unit.sign!(Buffer.from(attributes.dataToSign)), certDer);
    const elsewhere = Buffer.from(embedSignature(outside, assembleSignedData({ prepared: attributes, signature, signerCertificate: certDer, chain })));
    expect((await verify(elsewhere)).indication).toBe('TOTAL_PASSED');
    // The same, B-T: time-stamped by a trusted TSA, and by one nobody trusts.
    const stamped = (authority: TestTsa) => async () => {
      const other = prepareSignature(samplePdf(`signed elsewhere, stamped ${authority.url}`), { placements: [{ page: 1, xMm: 130, yMm: 180, widthMm: 40, heightMm: 40 }], image: { png: Buffer.from(SEAL_PNG, 'base64') }, subFilter: 'ETSI.CAdES.detached' });
      const attrs = prepareSignedAttributes({ family: 'pades', contentDigest: digestChunks(signedChunks(other.pdf, other.byteRange), 'sha256'), signerCertificate: certDer });
      const sig = checkSignatureOverAttributes(attrs, unit.sign!(Buffer.from(attrs.dataToSign)), certDer);
      const timestampToken = await timestampFrom(authority, sig);
      return Buffer.from(embedSignature(other, assembleSignedData({ prepared: attrs, signature: sig, signerCertificate: certDer, chain, timestampToken })));
    };
    const trustedBT = await stamped(tsa)();
    const untrustedBT = await stamped(untrustedTsa)();
    const beforeRevocation = await verify(trustedBT);
    expect(beforeRevocation.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', timestamp: { valid: true, trusted: true }, validatedAt: { basis: 'timestamp' } });
    expect((await verify(untrustedBT)).signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', timestamp: { valid: true, trusted: false }, validatedAt: { basis: 'now' } });

    const revoked = await api(p.baseUrl, 'POST', `/api/v1/certificates/${unit.cert.serial}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const ours = await verify(bytes);
    expect(ours.indication, JSON.stringify(ours, null, 1)).toBe('TOTAL_PASSED');
    expect(ours.signatures[0]!.certificateStatus).toMatchObject({ status: 'revoked' });
    expect(ours.signatures[0]!.warnings.join(' ')).toMatch(/revoked/);
    // ecert's record, or its own B-T timestamp (trusted here, and a moment earlier): the earliest proof counts.
    // ecert stamps its own seals (ECERT_TSA_URL) before it records them: the genTime comes first, a tie names the timestamp.
    expect(ours.signatures[0]!.validatedAt).toMatchObject({ basis: 'timestamp', time: ours.signatures[0]!.timestamp!.genTime });
    expect(new Date(ours.signatures[0]!.timestamp!.genTime!).getTime()).toBeLessThanOrEqual(new Date(ours.signatures[0]!.ecertRecord!.sealedAt).getTime());
    const theirs = await verify(elsewhere);
    expect(theirs.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE', validatedAt: { basis: 'now' } });
    // A trusted timestamp before the revocation is the proof of existence: not failed for the revocation, warned.
    const stampedTrusted = await verify(trustedBT);
    expect(stampedTrusted.signatures[0], JSON.stringify(stampedTrusted, null, 1)).toMatchObject({ indication: 'TOTAL_PASSED', certificateStatus: { status: 'revoked' }, validatedAt: { basis: 'timestamp', time: beforeRevocation.signatures[0]!.timestamp!.genTime } });
    expect(stampedTrusted.signatures[0]!.checks.find((c) => c.name === 'revocation')?.detail).toMatch(/after a trusted timestamp proves the signature existed/);
    expect(stampedTrusted.signatures[0]!.warnings.join(' ')).toMatch(/revoked/);
    // An untrusted TSA's token proves nothing.
    expect((await verify(untrustedBT)).signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE', timestamp: { trusted: false } });
  });

  it('a frozen certificate (挂失) stops sealing, also between prepare and embed', async () => {
    const unit = await unitSeal('p256');
    await putRule(unit.seal.id, { users: [sealer.clientId], approvers: [approver.clientId], approvalRequired: true });
    const doc = await upload(samplePdf('frozen'));
    const request = await approvedRequest(doc, unit.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    const prep = await sealRequest(doc, unit.seal, request, 'deferred');
    expect(prep.status).toBe(201);
    const session = (prep.body as { session: SealSessionView }).session;
    expect((await api(p.baseUrl, 'POST', `/api/v1/certificates/${unit.cert.serial}/freeze`, { comment: 'UKey lost' })).status).toBe(200);
    const signature = unit.sign!(Buffer.from(session.dataToSign, 'base64'));
    const embed = await api(p.baseUrl, 'POST', `/api/v1/documents/seal-sessions/${session.sessionId}/signature`, { signature: signature.toString('base64') }, sealer.headers);
    expect(embed.status).toBe(422);
    expect(['certificate_not_active', 'seal_not_active']).toContain(embed.body.code);
    const again = await sealRequest(doc, unit.seal, request, 'deferred');
    expect(again.status).toBe(422);
    expect(['certificate_not_active', 'seal_not_active']).toContain(again.body.code);
  });
});

describe('server-side sealing (an office seal whose key the platform holds)', () => {
  it.each(['EC-P256', 'SM2'] as const)('seals in one call when the rule needs no approval (%s); verifies TOTAL_PASSED', async (keyAlgorithm) => {
    const office = await api<CertificateView>(p.baseUrl, 'POST', '/api/v1/certificates/platform-held', {
      unit: { name: '南宁市人力资源和社会保障局', uscc: makeUscc(), regionCode: '450100', accountNo: '4501000009' },
      keyAlgorithm,
    });
    expect(office.status, JSON.stringify(office.body)).toBe(201);
    const seal = await api<SealView>(p.baseUrl, 'POST', '/api/v1/seals', { kind: 'official', name: '南宁市人力资源和社会保障局', image: SEAL_PNG, widthMm: 42, heightMm: 42, certificateSerial: office.body.serial });
    expect(seal.status, JSON.stringify(seal.body)).toBe(201);
    await putRule(seal.body.id, { users: [sealer.clientId], approvalRequired: false });
    const doc = await upload(samplePdf('a reply of the bureau'));
    const r = await requestUse(doc, seal.body, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 240 }]);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'approved', decision: { by: 'rule' } });
    const sealed = await sealRequest(doc, seal.body, r.body, 'server');
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(201);
    const out = (sealed.body as { mode: 'server'; sealed: SealedDocumentView }).sealed;
    expect(out.document.sealing).toMatchObject({ mode: 'server', family: keyAlgorithm === 'SM2' ? 'gbt35275' : 'pades' });
    const bytes = await content(out.document);
    const report = await verify(bytes);
    expect(report.indication, JSON.stringify(report, null, 1)).toBe('TOTAL_PASSED');
    expect(report.signatures[0].ecertRecord?.mode).toBe('server');
    if (keyAlgorithm === 'SM2') {
      // The platform key signed the SES TBS_Sign too (cert.platform-keys.sign, one call, two records).
      expect(report.signatures[0].sesSignature).toMatchObject({ indication: 'TOTAL_PASSED', seal: { esId: seal.body.esId, indication: 'TOTAL_PASSED' } });
      expect(decodeSesSignature(sesOf(bytes)).seal.sealInfo.esId).toBe(seal.body.esId);
      const { rows } = await p.db.query('SELECT purpose FROM cert.platform_key_use WHERE serial = $1 ORDER BY id', [office.body.serial]);
      expect(rows.map((r: { purpose: string }) => r.purpose)).toEqual(['document', 'ses-signature']);
    } else {
      expect(report.signatures[0].sesSignature).toBeUndefined();
    }
  });
});

describe('placements on real PDFs (keyword, cross-page, rotated and cropped pages), seen by a renderer', () => {
  const DPI = 72;
  /** Red ink in the placement's box of the rendered page, and none in a box as large at the opposite corner. */
  async function inkAt(pdf: Buffer, box: { page: number; xMm: number; yMm: number; widthMm: number; heightMm: number }): Promise<number> {
    const path = dir.file(`render-${Date.now()}-${Math.random()}.pdf`, pdf);
    const img = await renderPage(path, box.page, DPI);
    return redPixelsIn(img, { x: mmToPx(box.xMm, DPI), y: mmToPx(box.yMm, DPI), width: mmToPx(box.widthMm, DPI), height: mmToPx(box.heightMm, DPI) });
  }

  async function sealFixture(file: string, placements: PlacementSpec[], unit = p256Seal): Promise<{ sealed: SealedDocumentView; bytes: Buffer; session: SealSessionView }> {
    const doc = await upload(readFileSync(file));
    const request = await approvedRequest(doc, unit.seal, placements);
    const prep = await sealRequest(doc, unit.seal, request, 'deferred');
    expect(prep.status, JSON.stringify(prep.body)).toBe(201);
    const session = (prep.body as { session: SealSessionView }).session;
    const done = await api<SealedDocumentView>(p.baseUrl, 'POST', `/api/v1/documents/seal-sessions/${session.sessionId}/signature`, signaturesFor(unit, session), sealer.headers);
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    const bytes = await content(done.body.document);
    const report = await verify(bytes);
    expect(report.indication, JSON.stringify(report, null, 1)).toBe('TOTAL_PASSED');
    return { sealed: done.body, bytes, session };
  }

  it('keyword (CJK, 答题卡) and cross-page (骑缝章 over all 3 pages) in one request, SM2: each slice and the keyword seal rendered where placed', async () => {
    const f = PDF_FIXTURES.cjk;
    const { session, bytes } = await sealFixture(f.path, [{ type: 'keyword', keyword: f.keyword!, offsetYMm: 10 }, { type: 'cross-page' }], sm2Seal);
    const keyword = session.placements.filter((b) => !b.slice);
    const slices = session.placements.filter((b) => b.slice);
    expect(keyword).toHaveLength(1);
    expect(slices.map((s) => [s.page, s.slice?.index, s.slice?.of])).toEqual([
      [1, 0, 3],
      [2, 1, 3],
      [3, 2, 3],
    ]);
    if (hasPeer('pdftoppm')) {
      expect(await inkAt(bytes, keyword[0]!)).toBeGreaterThan(50);
      for (const s of slices) expect(await inkAt(bytes, s), `slice on page ${s.page}`).toBeGreaterThan(10);
    }
  });

  it('rotated pages (180°, 90°) and a CropBox not at 0,0: the seal is where the coordinates say on the page as displayed', async () => {
    const rotated = PDF_FIXTURES.rotated;
    const r = await sealFixture(rotated.path, [
      { type: 'coordinates', page: 2, xMm: 60, yMm: 60 },
      { type: 'coordinates', page: 4, xMm: 60, yMm: 60 },
    ]);
    const crop = PDF_FIXTURES.cropboxOffset;
    const c = await sealFixture(crop.path, [{ type: 'coordinates', page: 1, xMm: 40, yMm: 30 }]);
    if (hasPeer('pdftoppm')) {
      for (const b of [...r.session.placements]) expect(await inkAt(r.bytes, b), `page ${b.page}`).toBeGreaterThan(50);
      expect(await inkAt(c.bytes, c.session.placements[0]!)).toBeGreaterThan(50);
    }
  });

  it('a keyword that is not in the document, or not on the pages named, is a 422 naming placements', async () => {
    const doc = await upload(readFileSync(PDF_FIXTURES.cjk.path));
    const missing = await requestUse(doc, p256Seal.seal, [{ type: 'keyword', keyword: '不存在的关键字' }]);
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'pdf_keyword_not_found', field: 'placements' });
  });
});

describe('retention (DOCUMENT_RETENTION_DAYS)', () => {
  it("a document past retention is purged: its download is a 410 document_purged, its record stays; bytes an application's material still uses are kept (asked of the workflow-service)", async () => {
    // An application whose material is the very bytes a document is registered with (one content, two records).
    const draft = await api(p.baseUrl, 'POST', '/api/v1/applications', {
      type: 'apply',
      unit: { name: '南宁市某某科技有限公司', address: '南宁市青秀区民族大道100号', postalCode: '530022', uscc: makeUscc('450103'), regionCode: '450103', accountNo: '4501000009' },
      handler: { name: '张三', idNumber: makeResidentId(), phone: '13800138000', email: 'zhangsan@example.cn' },
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const shared = samplePdf('a scan that is also a declaration');
    const attach = await fetch(`${p.baseUrl}/api/v1/applications/${draft.body.id}/materials?kind=uscc_copy`, { method: 'POST', headers: { 'x-api-key': p.apiKey!, 'content-type': 'application/pdf' }, body: shared });
    expect(attach.status, await attach.clone().text()).toBe(201);
    const asMaterial = await upload(shared);
    const alone = await upload(samplePdf('a declaration nobody else keeps'));
    await p.db.query(`UPDATE seal.document SET retained_until = now() - interval '1 day' WHERE id = ANY($1::uuid[])`, [[asMaterial.id, alone.id]]);

    const purge = p.services.seal!.get(PurgeExpiredDocumentsUseCase);
    // No grace period here: marked and removed in the one sweep.
    const r = await purge.execute({ now: new Date(), graceMs: 0 });
    expect(r).toMatchObject({ purged: 2, removed: 1, kept: 1 });

    for (const d of [asMaterial, alone]) {
      const res = await fetch(`${p.baseUrl}/api/v1/documents/${d.id}/content`, { headers: sealer.headers });
      expect(res.status).toBe(410);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'document_purged', field: 'documentId' });
      const view = await api<DocumentView>(p.baseUrl, 'GET', `/api/v1/documents/${d.id}`, undefined, sealer.headers);
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ id: d.id, sha256: d.sha256, purgedAt: expect.any(String) });
    }
    // Nothing is sealed from a purged document either.
    const ask = await requestUse(alone, p256Seal.seal, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    expect(ask.status).toBe(410);
    // The material's bytes are still there for the application; the other content is gone.
    const storeDir = p.config.DOCUMENT_STORE_DIR;
    const has = (sha: string) => existsSync(join(storeDir, sha.slice(0, 2), sha.slice(2, 4), sha));
    expect(has(asMaterial.sha256)).toBe(true);
    expect(has(alone.sha256)).toBe(false);
    // The same bytes uploaded again are a new document, with content.
    const back = await upload(samplePdf('a declaration nobody else keeps'));
    expect(back.id).not.toBe(alone.id);
    expect((await content(back)).length).toBeGreaterThan(0);
  });

  it('a re-upload of a document past retention but not swept yet is a new document, not the dying one', async () => {
    const bytes = samplePdf('uploaded again at the end of its retention');
    const first = await upload(bytes);
    await p.db.query(`UPDATE seal.document SET retained_until = now() - interval '1 minute' WHERE id = $1`, [first.id]);
    const again = await upload(bytes);
    expect(again.id).not.toBe(first.id);
    await p.services.seal!.get(PurgeExpiredDocumentsUseCase).execute({ now: new Date(), graceMs: 0 });
    // The dying row is purged; the new one keeps the bytes.
    expect((await content(again)).length).toBe(bytes.length);
  });

  it("the workflow-service answers which contents are materials to the seal-service only", async () => {
    const asked = (caller: 'gateway' | 'cert-service' | 'seal-service') => {
      const bus = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, caller), `materials-${caller}`);
      return requestContext
        .run({ requestId: `materials-${randomUUID()}` }, () => bus.call<{ referenced: string[] }>(Subjects.workflow.materialsReferenced, { sha256s: ['0'.repeat(64)] }, { timeoutMs: 10_000 }))
        .then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }))
        .finally(() => bus.close());
    };
    expect(await asked('seal-service')).toMatchObject({ ok: true, r: { referenced: [] } });
    for (const caller of ['gateway', 'cert-service'] as const) {
      const r = await asked(caller);
      expect(r.ok, caller).toBe(false);
      expect(r.ok ? undefined : (r.e as ProblemError).status, caller).toBe(403);
    }
  });
});
