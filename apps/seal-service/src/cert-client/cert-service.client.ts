import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { requestContext, type EcertConfig } from '@ecert/common';
import {
  Subjects,
  type CaView,
  type CertificateView,
  type PlatformKeySignCommand,
  type PlatformKeySignReply,
  type SealMakerSignCommand,
  type SealMakerSignReply,
} from '@ecert/contracts';
import { BUS_IDENTITY, BusRpcClient, CONFIG, type BusIdentity } from '@ecert/messaging';

/** Short: a CA revocation (the seal maker's, say) must reach seal verification within seconds. */
const CA_LIST_TTL_MS = 5_000;

/**
 * The seal-service's request/reply line to the cert-service, through the bus's one RPC client:
 * inside a gateway request the gateway's signed context is forwarded (the cert-service applies the
 * caller's region scope); event handlers ask as the seal-service itself, which the bus lets read
 * certificates and use the seal maker only.
 */
@Injectable()
export class CertServiceClient implements OnApplicationShutdown {
  private readonly bus: BusRpcClient;
  private caCache?: { at: number; list: Promise<CaView[]> };

  constructor(@Inject(CONFIG) config: EcertConfig, @Inject(BUS_IDENTITY) identity: BusIdentity) {
    this.bus = new BusRpcClient(config, identity, 'seal-service-client');
  }

  call<T>(subject: string, data: unknown): Promise<T> {
    return this.bus.call<T>(subject, data, { service: 'cert' });
  }

  getCertificate(serial: string): Promise<CertificateView> {
    return this.call(Subjects.cert.get, { serial });
  }

  /**
   * A certificate's record asked as the seal-service itself, not for the caller (no forwarded
   * context, national): its status is public (OCSP says as much), and a document's verifier or a
   * seal's user named by its rule need not have the unit's region in scope to have it checked.
   */
  getCertificateAsService(serial: string): Promise<CertificateView> {
    const ctx = requestContext.getStore();
    return requestContext.run({ requestId: ctx?.requestId ?? `seal-service-${Date.now().toString(36)}` }, () => this.call<CertificateView>(Subjects.cert.get, { serial }));
  }

  /** A platform-held key signs CMS signed attributes: only inside the gateway's document-sealing request (forwarded). */
  platformKeySign(command: PlatformKeySignCommand): Promise<PlatformKeySignReply> {
    return this.call(Subjects.cert.platformKeySign, command);
  }

  /** ecert's CA certificates and their revocations; cached for a few seconds (they change at CA initialisation and revocation). */
  caList(): Promise<CaView[]> {
    if (!this.caCache || Date.now() - this.caCache.at > CA_LIST_TTL_MS) {
      const list = this.call<CaView[]>(Subjects.cert.caList, {});
      list.catch(() => (this.caCache = undefined));
      this.caCache = { at: Date.now(), list };
    }
    return this.caCache.list;
  }

  forgetCas(): void {
    this.caCache = undefined;
  }

  /** The seal maker signs a seal's SES_SealInfo bound to the unit's certificate the command names. */
  sealMakerSign(command: SealMakerSignCommand): Promise<SealMakerSignReply> {
    return this.call(Subjects.cert.sealMakerSign, command);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
