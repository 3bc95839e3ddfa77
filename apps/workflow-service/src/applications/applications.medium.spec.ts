import { randomUUID } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError, requestContext, ROLE_OPERATIONS, type StaffRole } from '@ecert/common';
import { Subjects, type ApplicationView, type CertificateView } from '@ecert/contracts';
import { BusIdentity, BusRpcClient } from '@ecert/messaging';
import { FileDocumentStore } from '@ecert/documents';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, TempDir } from '../../../../test/support/fixtures';
import { samplePdf } from '../../../../test/support/materials';

/**
 * The workflow-service on its own with the cert-service (no gateway, no seal-service), spoken to
 * over the bus as the gateway would — and as a hostile peer would. Who acts comes only from the
 * signed context; a body cannot claim a role, a region or a tier.
 */
let p: TestPlatform;
let gateway: BusRpcClient;
let certAsCaller: BusRpcClient;
let store: FileDocumentStore;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'workflow'], env: { WORKFLOW_STEP_POLL_MS: '100', WORKFLOW_STEP_BACKOFF_MS: '50' } });
  gateway = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'gateway'), 'medium-gateway');
  certAsCaller = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'cert-service'), 'medium-cert');
  store = FileDocumentStore.fromConfig(p.config);
});
afterAll(async () => {
  await gateway?.close();
  await certAsCaller?.close();
  await p?.close();
  dir.remove();
});

interface As {
  staffId?: string;
  clientId?: string;
  role?: StaffRole;
  regions: string[];
}
const as =
  (who: As) =>
  <T>(subject: string, data: unknown): Promise<T> =>
    requestContext.run(
      { requestId: `medium-${randomUUID()}`, actor: who.staffId, clientId: who.clientId, role: who.role, regions: who.regions, operations: who.role ? [...ROLE_OPERATIONS[who.role]] : ['applications:submit', 'applications:read', 'certificates:read'] },
      () => gateway.call<T>(subject, data, { timeoutMs: 10_000 }),
    );

async function refusal(call: Promise<unknown>) {
  const e = await call.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof ProblemError)) throw new Error(`expected a problem, got ${e === undefined ? 'success' : String(e)}`);
  return { status: e.status, code: String(e.code), field: e.field };
}

const system = as({ clientId: 'hrss-system', regions: ['450000'] });
const countyGx = as({ staffId: 'county-450102', role: 'county_acceptor', regions: ['450102'] });
const cityGx = as({ staffId: 'city-450100', role: 'city_reviewer', regions: ['450100'] });
const provinceGx = as({ staffId: 'province-450000', role: 'province_approver', regions: ['450000'] });

async function existingCertificate(uscc: string, accountNo: string): Promise<CertificateView> {
  return requestContext.run({ requestId: 'medium-issue', actor: 'op', regions: ['000000'], operations: ['certificates:issue'] }, () =>
    gateway.call<CertificateView>(Subjects.cert.issue, { profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit: { name: '南宁市测试单位', uscc, regionCode: '450102', accountNo } }),
  );
}

function revokeForm(uscc: string, accountNo: string, serial: string) {
  return {
    type: 'revoke',
    unit: { name: '南宁市测试单位', address: '南宁市民族大道60号', postalCode: '530000', uscc, regionCode: '450102', accountNo },
    handler: { name: '王经办', idNumber: makeResidentId('450102'), phone: '13812345678', email: 'w@example.cn' },
    targetSerial: serial,
    revocationCause: 'unit_dissolved',
  };
}

async function withMaterials(app: ApplicationView): Promise<ApplicationView> {
  let v = app;
  for (const kind of app.checklist.missing) {
    const { sha256 } = await store.put(samplePdf(kind));
    v = await system<ApplicationView>(Subjects.workflow.materialAttach, { applicationId: app.id, kind, sha256, fileName: `${kind}.pdf` });
  }
  return v;
}

describe('workflow-service over the bus', () => {
  it('carries a revocation through its tiers to the cert-service: unit dissolved → cessationOfOperation', async () => {
    const uscc = makeUscc('450102');
    const cert = await existingCertificate(uscc, 'R-1');
    const draft = await system<ApplicationView>(Subjects.workflow.applicationCreate, revokeForm(uscc, 'R-1', cert.serial));
    expect(draft).toMatchObject({ status: 'draft', route: ['county', 'city', 'province'], filedBy: { clientId: 'hrss-system', staffId: null } });
    await withMaterials(draft);
    await system(Subjects.workflow.applicationSubmit, { applicationId: draft.id });
    await countyGx(Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' });
    await cityGx(Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' });
    await provinceGx(Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' });
    const deadline = Date.now() + 15_000;
    let v = await system<ApplicationView>(Subjects.workflow.applicationGet, { applicationId: draft.id });
    while (v.status !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      v = await system<ApplicationView>(Subjects.workflow.applicationGet, { applicationId: draft.id });
    }
    expect(v.status).toBe('completed');
    const after = await as({ staffId: 'x', role: 'province_approver', regions: ['450000'] })<CertificateView>(Subjects.cert.get, { serial: cert.serial });
    expect(after).toMatchObject({ status: 'revoked', revocationReason: 'cessationOfOperation' });
    const receipts = await p.db.query(`SELECT caller, command FROM cert.command_receipt WHERE idempotency_key = $1`, [`app:${draft.id}:revoke_certificate`]);
    expect(receipts.rows).toEqual([{ caller: 'workflow-service', command: 'revoke' }]);
  });

  it('takes who decides from the signed context only: a body claiming a role or a tier changes nothing', async () => {
    const uscc = makeUscc('450102');
    const cert = await existingCertificate(uscc, 'R-2');
    const draft = await withMaterials(await system<ApplicationView>(Subjects.workflow.applicationCreate, revokeForm(uscc, 'R-2', cert.serial)));
    await system(Subjects.workflow.applicationSubmit, { applicationId: draft.id });
    // The business system itself (no staff member) tries to decide, dressing the body up.
    const client = await refusal(system(Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve', role: 'county_acceptor', staffId: 'county-450102' }));
    expect(client.status).toBe(403);
    // A client holding applications:review still is no staff member.
    const reviewer = as({ clientId: 'rogue', regions: ['000000'] });
    expect((await refusal(requestContext.run({ requestId: 'r', clientId: 'rogue', regions: ['000000'], operations: ['applications:review'] }, () => gateway.call(Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' })))).status).toBe(403);
    void reviewer;
    // Another service may not speak for the gateway on workflow subjects.
    expect((await refusal(certAsCaller.call(Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' }))).status).toBe(403);
    const v = await system<ApplicationView>(Subjects.workflow.applicationGet, { applicationId: draft.id });
    expect(v).toMatchObject({ status: 'under_review', tier: 'county', decisions: [] });
  });

  it('checks stored materials itself: a hash not in the store, and bytes altered on disk, are refused', async () => {
    const uscc = makeUscc('450102');
    const cert = await existingCertificate(uscc, 'R-3');
    const draft = await system<ApplicationView>(Subjects.workflow.applicationCreate, revokeForm(uscc, 'R-3', cert.serial));
    const absent = await refusal(system(Subjects.workflow.materialAttach, { applicationId: draft.id, kind: 'certificate_form', sha256: 'a'.repeat(64) }));
    expect(absent).toMatchObject({ status: 422, code: 'material_not_stored', field: 'sha256' });
    const { sha256 } = await store.put(samplePdf('to be altered'));
    const path = join(p.config.DOCUMENT_STORE_DIR, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    chmodSync(path, 0o640);
    writeFileSync(path, samplePdf('altered on disk'));
    const altered = await refusal(system(Subjects.workflow.materialAttach, { applicationId: draft.id, kind: 'certificate_form', sha256 }));
    expect(altered).toMatchObject({ status: 422, code: 'material_integrity' });
    const notText = await store.put(Buffer.from('plain text pretending to be a form'));
    const text = await refusal(system(Subjects.workflow.materialAttach, { applicationId: draft.id, kind: 'certificate_form', sha256: notText.sha256 }));
    expect(text.status).toBe(422);
    const pathTraversal = await refusal(system(Subjects.workflow.materialAttach, { applicationId: draft.id, kind: 'certificate_form', sha256: '../../../etc/passwd' }));
    expect(pathTraversal).toMatchObject({ status: 400, field: 'sha256' });
    const v = await system<ApplicationView>(Subjects.workflow.applicationGet, { applicationId: draft.id });
    expect(v.materials).toEqual([]);
  });

  it('keeps applications of other regions and other client systems out of reach', async () => {
    const uscc = makeUscc('450102');
    const cert = await existingCertificate(uscc, 'R-4');
    const draft = await system<ApplicationView>(Subjects.workflow.applicationCreate, revokeForm(uscc, 'R-4', cert.serial));
    const otherSystem = as({ clientId: 'other-system', regions: ['450000'] });
    expect((await refusal(otherSystem(Subjects.workflow.applicationGet, { applicationId: draft.id }))).status).toBe(404);
    const shandong = as({ staffId: 'sd', role: 'city_reviewer', regions: ['370400'] });
    expect((await refusal(shandong(Subjects.workflow.applicationGet, { applicationId: draft.id }))).status).toBe(404);
    const list = await shandong<{ items: ApplicationView[] }>(Subjects.workflow.applicationList, { pageSize: 100 });
    expect(list.items.map((a) => a.id)).not.toContain(draft.id);
    const outside = await refusal(as({ clientId: 'sd-system', regions: ['370481'] })(Subjects.workflow.applicationCreate, revokeForm(uscc, 'R-4', cert.serial)));
    expect(outside.status).toBe(403);
  });
});
