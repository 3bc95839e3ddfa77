import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { multipart, raw, type EcertClient, type EcertClientOptions, type Schema } from '@ecert/client';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, openssl, opensslCsr, TempDir } from '../support/fixtures';
import { waitFor } from '../support/http';
import { samplePdf } from '../support/materials';
import { scanJpeg } from '../../apps/seal-service/src/images/test-images.spec-helper';
import { buildOpenApiDocument } from '../../apps/gateway/src/openapi/openapi-document';
import { conformingClientFactory } from '../support/conforming-client';

/**
 * A whole portal journey through @ecert/client only — the typed client generated from the
 * gateway's OpenAPI document (issue 15): a business system is registered, files a unit's first
 * certificate with its materials, staff of the county, city and province (logged in by their
 * certificates) approve it, the CA operator's station produces it onto a UKey, the province
 * dispatches it and the city office hands it over; the province makes a further seal on that
 * certificate, the unit's system seals a PDF with it (signed as the UKey would) and anyone
 * verifies the result. No raw HTTP: a call the client cannot express means the document is wrong.
 * Every JSON answer is also checked against the document (conforming-client.ts), so the types the
 * assertions lean on are the ones the gateway really sends. What is not an API call comes from the
 * fixtures: keys and CSRs (the UKey's), the PDF and the scan.
 */
let p: TestPlatform;
const dir = new TempDir();
let createEcertClient: (options: EcertClientOptions) => EcertClient;

beforeAll(async () => {
  p = await startTestPlatform({ env: { WORKFLOW_STEP_POLL_MS: '100', WORKFLOW_STEP_BACKOFF_MS: '100' } });
  createEcertClient = conformingClientFactory(JSON.parse(JSON.stringify(buildOpenApiDocument(p.gateway!))));
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

/** The client's answer, or the test fails naming the problem the gateway sent. */
function ok<T>(r: { data?: T; error?: unknown; response: Response }, status: number): T {
  expect(r.response.status, `${r.response.url}: ${JSON.stringify(r.error)}`).toBe(status);
  expect(r.data).toBeDefined();
  return r.data!;
}

/** Signs bytes with a key this test holds, as the UKey (or the staff member's token) would: ECDSA P-256 with SHA-256, DER. */
function sign(keyPath: string, data: Uint8Array): string {
  const input = dir.file(`tbs-${Date.now()}-${Math.random()}`, data);
  openssl(['dgst', '-sha256', '-sign', keyPath, '-out', `${input}.sig`, input]);
  return readFileSync(`${input}.sig`).toString('base64');
}

interface Staff {
  client: EcertClient;
  view: Schema<'StaffView'>;
}

/** A staff member with a personal certificate, logged in by it: a client carrying the staff token. */
async function staff(admin: EcertClient, role: Schema<'StaffView'>['role'], regionCode: string, name: string): Promise<Staff> {
  const k = opensslCsr(dir, 'p256');
  const unitRegion = regionCode === '000000' ? '450100' : regionCode;
  const cert = ok(await admin.POST('/api/v1/certificates', { body: { profile: 'personal', csr: k.csr, unit: { name: '人社局', uscc: makeUscc(unitRegion), regionCode: unitRegion, accountNo: 'STAFF' }, person: { name, idNumber: makeResidentId() } } }), 201);
  expect(cert.profile).toBe('personal');
  const view = ok(await admin.POST('/api/v1/staff', { body: { name, role, regionCode, certificateSerials: [cert.serial] } }), 201);
  expect(view).toMatchObject({ role, regionCode });

  const anonymous = createEcertClient({ baseUrl: p.baseUrl });
  const challenge = ok(await anonymous.POST('/api/v1/auth/challenge'), 201);
  const login = ok(await anonymous.POST('/api/v1/auth/login', { body: { challengeId: challenge.challengeId, certificate: cert.certificatePem, signature: sign(k.keyPath, Buffer.from(challenge.challenge, 'base64')) } }), 200);
  expect(login.staff.id).toBe(view.id);
  expect(Date.parse(login.expiresAt)).toBeGreaterThan(Date.now());
  return { client: createEcertClient({ baseUrl: p.baseUrl, token: login.token }), view };
}

describe('a portal journey through the typed client', () => {
  it('registers, applies, is reviewed county → city → province, is produced onto a UKey and collected, then seals a PDF and verifies it', async () => {
    // The harness's client (every operation, national): the platform's own administration.
    const admin = createEcertClient({ baseUrl: p.baseUrl, apiKey: p.apiKey });

    // 1. Register the unit's business system (应用开通).
    const registered = ok(await admin.POST('/api/v1/clients', { body: { name: '滕州市社保经办系统', department: '滕州市社会保险事业中心', operations: ['applications:submit', 'applications:read', 'certificates:read', 'seals:read', 'documents:seal', 'documents:read', 'documents:verify'], regionCodes: ['370481'] } }), 201);
    expect(registered.apiKey).toMatch(/\S{20,}/);
    expect(registered.client.regionCodes).toEqual(['370481']);
    const system = createEcertClient({ baseUrl: p.baseUrl, apiKey: registered.apiKey });

    const county = await staff(admin, 'county_acceptor', '370481', '滕州受理员');
    const city = await staff(admin, 'city_reviewer', '370400', '枣庄审核员');
    const province = await staff(admin, 'province_approver', '370000', '山东审批员');
    const operator = await staff(admin, 'ca_operator', '000000', '制证员');

    // 2. Apply: the 受理表, then every material the checklist asks for, then submit.
    const uscc = makeUscc('370481');
    const handlerId = makeResidentId('370481');
    const unitName = '滕州市某机械制造有限公司';
    const draft = ok(
      await system.POST('/api/v1/applications', {
        body: {
          type: 'apply',
          unit: { name: unitName, address: '滕州市学院中路1066号', postalCode: '277500', uscc, regionCode: '370481', accountNo: `SI${Date.now() % 1e8}` },
          handler: { name: '李经办', idNumber: handlerId, phone: '13912345678', email: 'jingban@example.cn' },
          seals: [{ kind: 'official', name: unitName }],
        },
      }),
      201,
    );
    expect(draft).toMatchObject({ status: 'draft', type: 'apply', route: ['county', 'city', 'province'] });
    expect(draft.checklist.missing).toContain('seal_impression_form');

    let view = draft;
    for (const kind of draft.checklist.missing) {
      const r =
        kind === 'seal_impression_form'
          ? // The scan of the physical seal as multipart (file and kind parts).
            await system.POST('/api/v1/applications/{id}/materials', { params: { path: { id: draft.id } }, body: { file: new File([scanJpeg().jpeg], 'impression.jpg', { type: 'image/jpeg' }), kind }, bodySerializer: multipart })
          : // The forms and copies as the raw body.
            await system.POST('/api/v1/applications/{id}/materials', { params: { path: { id: draft.id }, query: { kind, fileName: `${kind}.pdf` } }, body: new Blob([samplePdf(kind)]), bodySerializer: raw, headers: { 'content-type': 'application/pdf' } });
      view = ok(r, 201);
    }
    expect(view.checklist.missing).toEqual([]);
    expect(view.materials.map((m) => m.kind).sort()).toEqual([...draft.checklist.required].sort());

    const submitted = ok(await system.POST('/api/v1/applications/{id}/submit', { params: { path: { id: draft.id } } }), 200);
    expect(submitted).toMatchObject({ status: 'under_review', tier: 'county' });
    expect(submitted.deadline?.overdue).toBe(false);

    // 3. Review, tier by tier, each decision on the version it read (If-Match).
    let reviewed = submitted;
    for (const [tier, reviewer] of [['county', county], ['city', city], ['province', province]] as const) {
      expect(reviewed.tier).toBe(tier);
      const seen = ok(await reviewer.client.GET('/api/v1/applications/{id}', { params: { path: { id: draft.id } } }), 200);
      reviewed = ok(await reviewer.client.POST('/api/v1/applications/{id}/decisions', { params: { path: { id: draft.id }, header: { 'If-Match': String(seen.version) } }, body: { decision: 'approve' } }), 200);
    }
    expect(reviewed.status).toBe('awaiting_production');
    expect(reviewed.decisions.map((d) => [d.tier, d.decision])).toEqual([
      ['county', 'approve'],
      ['city', 'approve'],
      ['province', 'approve'],
    ]);

    // 4. Production: a UKey from stock, keys made on it (the CSR; the test holds the key), then dispatch and collection.
    const ukeySerial = `UK-JOURNEY-${Date.now().toString(36)}`;
    const importUkey = () => admin.POST('/api/v1/ukeys/import', { params: { header: { 'Idempotency-Key': `import-${ukeySerial}` } }, body: { batch: `B-${ukeySerial}`, deliveredOn: '2026-11-20', items: [{ serial: ukeySerial, vendor: '飞天诚信', model: 'ePass3003' }] } });
    const imported = ok(await importUkey(), 201);
    expect(imported.imported).toBe(1);
    // A retry with the same Idempotency-Key gets the first answer (not a duplicate serial).
    expect(ok(await importUkey(), 201)).toEqual(imported);
    const ukeyKey = opensslCsr(dir, 'p256');
    const produced = ok(await operator.client.POST('/api/v1/applications/{id}/production', { params: { path: { id: draft.id } }, body: { ukeySerial, csr: ukeyKey.csr } }), 200);
    expect(produced.results.ukeySerial).toBe(ukeySerial);

    const read = async () => ok(await system.GET('/api/v1/applications/{id}', { params: { path: { id: draft.id } } }), 200);
    await waitFor(async () => (await read()).steps.some((s) => s.name === 'dispatch' && s.status === 'running'), 20_000, 150);
    const batch = ok(await province.client.POST('/api/v1/ukeys/dispatch-batches', { body: { officeRegionCode: '370400', serials: [ukeySerial] } }), 201);
    expect(batch.serials).toEqual([ukeySerial]);
    const receipt = ok(await city.client.POST('/api/v1/ukeys/dispatch-batches/{id}/receipt', { params: { path: { id: batch.id } } }), 200);
    expect(receipt.receivedAt).toBeDefined();
    const ready = await waitFor(async () => {
      const v = await read();
      if (v.status === 'needs_attention') throw new Error(`needs attention: ${JSON.stringify(v.attention)}`);
      return v.status === 'ready_for_collection' && v;
    }, 20_000, 150);
    const certificateSerial = ready.results.certificateSerial;
    expect(certificateSerial).toMatch(/^[0-9a-f]+$/);
    expect(ready.results.sealIds).toHaveLength(1);

    const collected = ok(await city.client.POST('/api/v1/applications/{id}/collection', { params: { path: { id: draft.id } }, body: { collector: { name: '李经办', idNumber: handlerId } } }), 200);
    expect(collected.status).toBe('completed');
    const ukey = ok(await admin.GET('/api/v1/ukeys/{serial}', { params: { path: { serial: ukeySerial } } }), 200);
    expect(ukey).toMatchObject({ state: 'collected', certificateSerials: [certificateSerial] });
    expect(ukey.collector?.name).toBe('李经办');
    const certificate = ok(await system.GET('/api/v1/certificates/{serial}', { params: { path: { serial: certificateSerial! } } }), 200);
    expect(certificate).toMatchObject({ status: 'active', profile: 'unit', ukeySerial });
    expect(certificate.unit?.uscc).toBe(uscc);

    // 5. A further seal on the certificate (合同专用章), made by the province, usable by the unit's system without approval.
    const seal = ok(await province.client.POST('/api/v1/seals', { body: { kind: 'special', purpose: 'contract', name: unitName, generateImage: {}, widthMm: 40, heightMm: 40, certificateSerial: certificateSerial! } }), 201);
    expect(seal).toMatchObject({ kind: 'special', status: 'active', certificate: { serial: certificateSerial } });
    const official = ok(await system.GET('/api/v1/seals', { params: { query: { uscc } } }), 200);
    expect(official.items.map((s) => s.kind).sort()).toEqual(['official', 'special']);
    const rule = ok(await province.client.PUT('/api/v1/seals/{sealId}/use-rule', { params: { path: { sealId: seal.id } }, body: { users: { clientIds: [registered.client.id] }, approvalRequired: false, expectedVersion: 0 } }), 200);
    expect(rule.version).toBe(1);

    // 6. Upload a PDF, ask to use the seal (approved by the rule), seal it deferred: the UKey signs dataToSign.
    const pdf = samplePdf('2026年度社会保险缴费基数申报表 declaration');
    const uploaded = ok(await system.POST('/api/v1/documents', { params: { query: { fileName: 'declaration.pdf' } }, body: new Blob([pdf]), bodySerializer: raw, headers: { 'content-type': 'application/pdf' } }), 201);
    expect(uploaded).toMatchObject({ sha256: createHash('sha256').update(pdf).digest('hex'), size: pdf.length, pages: 1, fileName: 'declaration.pdf' });
    const placements: Schema<'PlacementSpec'>[] = [{ type: 'coordinates', page: 1, xMm: 150, yMm: 60 }];
    const useRequest = ok(await system.POST('/api/v1/documents/{id}/seal-use-requests', { params: { path: { id: uploaded.id } }, body: { sealId: seal.id, placements, purpose: '2026年度社会保险缴费基数申报' } }), 201);
    expect(useRequest).toMatchObject({ status: 'approved', documentSha256: uploaded.sha256, decision: { by: 'rule' } });

    const prepared = ok(await system.POST('/api/v1/documents/{id}/seal-requests', { params: { path: { id: uploaded.id } }, body: { sealId: seal.id, sealUseRequestId: useRequest.id, mode: 'deferred', location: '滕州' } }), 201);
    if (prepared.mode !== 'deferred') throw new Error(`expected a deferred session, got ${prepared.mode}`);
    const session = prepared.session;
    expect(session.signatureAlgorithm).toMatch(/ecdsa/i);
    const sealed = ok(await system.POST('/api/v1/documents/seal-sessions/{id}/signature', { params: { path: { id: session.sessionId } }, body: { signature: sign(ukeyKey.keyPath, Buffer.from(session.dataToSign, 'base64')) } }), 201);
    expect(sealed.document.derivedFrom).toBe(uploaded.id);
    expect(sealed.signature).toMatchObject({ sealId: seal.id, certificateSerial, family: 'pades', subFilter: 'ETSI.CAdES.detached' });

    // 7. Download the sealed PDF and verify it as anyone who received it would.
    const download = await system.GET('/api/v1/documents/{id}/content', { params: { path: { id: sealed.document.id } }, parseAs: 'arrayBuffer' });
    expect(download.response.status).toBe(200);
    expect(download.response.headers.get('content-type')).toMatch(/^application\/pdf/);
    const bytes = Buffer.from(download.data!);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sealed.document.sha256);
    expect(bytes.subarray(0, pdf.length).equals(pdf)).toBe(true);

    const report = ok(await system.POST('/api/v1/documents/verify', { params: { query: { fileName: 'received.pdf' } }, body: { file: new File([bytes], 'received.pdf', { type: 'application/pdf' }) }, bodySerializer: multipart }), 200);
    expect(report).toMatchObject({ indication: 'TOTAL_PASSED', documentSha256: sealed.document.sha256, ecertDocumentId: sealed.document.id });
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED' });
    const kept = ok(await system.GET('/api/v1/documents/verification-reports/{id}', { params: { path: { id: report.id } } }), 200);
    expect(kept.indication).toBe('TOTAL_PASSED');

    // And the typed errors: a second use of the same approval is a problem with its code.
    const again = await system.POST('/api/v1/documents/{id}/seal-requests', { params: { path: { id: uploaded.id } }, body: { sealId: seal.id, sealUseRequestId: useRequest.id, mode: 'deferred' } });
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe('seal_use_request_used');
  });
});
