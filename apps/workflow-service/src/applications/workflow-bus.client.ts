import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { requestContext, type EcertConfig } from '@ecert/common';
import { Subjects, type CertificateView, type Page } from '@ecert/contracts';
import { BUS_IDENTITY, BusRpcClient, CONFIG, type BusIdentity } from '@ecert/messaging';

/**
 * The workflow-service's line to the cert- and seal-service, through the bus's one RPC client.
 * Inside a gateway request (checking a target certificate at filing) the caller's context is
 * forwarded, so the cert-service applies the caller's own scope. `asService` runs a call on the
 * workflow-service's own authority — carrying out an application its tiers approved — with no
 * gateway token behind it.
 */
@Injectable()
export class WorkflowBusClient implements OnApplicationShutdown {
  private readonly bus: BusRpcClient;

  constructor(@Inject(CONFIG) config: EcertConfig, @Inject(BUS_IDENTITY) identity: BusIdentity) {
    this.bus = new BusRpcClient(config, identity, 'workflow-service-client');
  }

  call<T>(subject: string, data: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
    return this.bus.call<T>(subject, data, { service: subject.split('.')[2], ...opts });
  }

  asService<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
    return requestContext.run({ requestId, actor: 'workflow-service', caller: 'workflow-service' }, fn);
  }

  getCertificate(serial: string): Promise<CertificateView> {
    return this.call(Subjects.cert.get, { serial });
  }

  listCertificates(uscc: string): Promise<Page<CertificateView>> {
    return this.call(Subjects.cert.list, { uscc, profile: 'unit', pageSize: 100 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
