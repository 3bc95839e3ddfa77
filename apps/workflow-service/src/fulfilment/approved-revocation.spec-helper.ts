import { randomUUID } from 'node:crypto';
import { requestContext, ROLE_OPERATIONS, type StaffRole } from '@ecert/common';
import { Subjects, type ApplicationView, type CertificateView } from '@ecert/contracts';
import { BusIdentity, BusRpcClient } from '@ecert/messaging';
import { FileDocumentStore } from '@ecert/documents';
import type { TestPlatform } from '../../../../test/support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, type TempDir } from '../../../../test/support/fixtures';
import { samplePdf } from '../../../../test/support/materials';

/**
 * For medium tests of the fulfilment (workflow- and cert-service only): a revocation filed,
 * documented and approved through its three tiers over the bus, as the gateway would send it.
 */
export class ApprovedRevocation {
  private readonly gateway: BusRpcClient;
  private readonly store: FileDocumentStore;

  constructor(private readonly p: TestPlatform, private readonly dir: TempDir) {
    this.gateway = new BusRpcClient(p.config, BusIdentity.fromConfig(p.config, 'gateway'), 'medium-gateway');
    this.store = FileDocumentStore.fromConfig(p.config);
  }

  close(): Promise<void> {
    return this.gateway.close();
  }

  call<T>(who: { staffId?: string; clientId?: string; role?: StaffRole; regions: string[] }, subject: string, data: unknown): Promise<T> {
    return requestContext.run(
      { requestId: `medium-${randomUUID()}`, actor: who.staffId, clientId: who.clientId, role: who.role, regions: who.regions, operations: who.role ? [...ROLE_OPERATIONS[who.role]] : ['applications:submit', 'applications:read', 'certificates:issue', 'certificates:read'] },
      () => this.gateway.call<T>(subject, data, { timeoutMs: 10_000 }),
    );
  }

  get(applicationId: string): Promise<ApplicationView> {
    return this.call({ clientId: 'hrss-system', regions: ['450000'] }, Subjects.workflow.applicationGet, { applicationId });
  }

  /** The application's id, its last approval given (its fulfilment has just been started); `beforeLast` runs before that approval, with the target serial. */
  async approve(beforeLast?: (serial: string) => Promise<void>): Promise<string> {
    const system = { clientId: 'hrss-system', regions: ['450000'] };
    const uscc = makeUscc('450102');
    const accountNo = `R-${randomUUID().slice(0, 8)}`;
    const cert = await this.call<CertificateView>({ staffId: 'op', regions: ['000000'] }, Subjects.cert.issue, { profile: 'unit', csr: opensslCsr(this.dir, 'p256').csr, unit: { name: '南宁市测试单位', uscc, regionCode: '450102', accountNo } });
    const draft = await this.call<ApplicationView>(system, Subjects.workflow.applicationCreate, {
      type: 'revoke',
      unit: { name: '南宁市测试单位', address: '南宁市民族大道60号', postalCode: '530000', uscc, regionCode: '450102', accountNo },
      handler: { name: '王经办', idNumber: makeResidentId('450102'), phone: '13812345678', email: 'w@example.cn' },
      targetSerial: cert.serial,
      revocationCause: 'unit_dissolved',
    });
    for (const kind of draft.checklist.missing) {
      const { sha256 } = await this.store.put(samplePdf(kind));
      await this.call(system, Subjects.workflow.materialAttach, { applicationId: draft.id, kind, sha256, fileName: `${kind}.pdf` });
    }
    await this.call(system, Subjects.workflow.applicationSubmit, { applicationId: draft.id });
    await this.call({ staffId: 'county-450102', role: 'county_acceptor', regions: ['450102'] }, Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' });
    await this.call({ staffId: 'city-450100', role: 'city_reviewer', regions: ['450100'] }, Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' });
    await beforeLast?.(cert.serial);
    await this.call({ staffId: 'province-450000', role: 'province_approver', regions: ['450000'] }, Subjects.workflow.applicationDecide, { applicationId: draft.id, decision: 'approve' });
    return draft.id;
  }
}
