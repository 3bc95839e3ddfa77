import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { ProblemCode, ProblemError } from '@ecert/common';
import { CRL_INLINE_MAX_BYTES, Subjects, type BinaryReply, type CaCertificateQuery, type CrlQuery, type CrlReply, type OcspQuery, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { CaRegistry } from '../ca/ca-registry.service';
import { CrlGenerator } from './crl-generator.service';
import { CrlPublisher } from './crl-publisher.service';
import { OcspResponder } from '../ocsp/ocsp-responder.service';

/** Public PKI material behind the gateway's unauthenticated /pki endpoints. */
@Controller()
export class PkiDistributionHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
    private readonly crls: CrlGenerator,
    private readonly publisher: CrlPublisher,
    private readonly ocsp: OcspResponder,
  ) {}

  @MessagePattern(Subjects.cert.caList)
  caList(@Payload() env: RpcEnvelope<unknown>) {
    return runRpc(this.logger, env, async () => this.registry.all().map((ca) => this.registry.view(ca)));
  }

  @MessagePattern(Subjects.cert.caCertificate)
  caCertificate(@Payload() env: RpcEnvelope<CaCertificateQuery>) {
    return runRpc(this.logger, env, async (): Promise<BinaryReply> => {
      const ca = this.registry.get(String(env.data?.caId ?? ''));
      return { base64: ca.certificate.toString('base64'), contentType: 'application/pkix-cert', maxAgeSeconds: 86_400 };
    });
  }

  /** Republishes the newest CRL to the publication point (Redis); with Redis down, answers with the CRL itself. */
  @MessagePattern(Subjects.cert.crl)
  crl(@Payload() env: RpcEnvelope<CrlQuery>) {
    return runRpc(this.logger, env, async () => {
      const caId = String(env.data?.caId ?? '');
      const ca = this.registry.get(caId);
      const delta = !!env.data?.delta;
      if (ca.role !== 'root' && ca.role !== 'issuing') throw ProblemError.notFound(ProblemCode.caNotFound, `${caId} does not issue CRLs`);
      if (delta && ca.role !== 'issuing') throw ProblemError.notFound(ProblemCode.notFound, `${caId} publishes no delta CRLs`);
      const row = await this.crls.latest(caId, delta);
      if (!row) throw new ProblemError(503, ProblemCode.serviceUnavailable, 'CRL 尚未生成 (CRL not yet generated)', `No CRL for ${caId} yet`);
      try {
        await this.publisher.publish(caId, delta, row.der, row.nextUpdate, row.number);
      } catch (e) {
        // Redis is down: hand the CRL over in the reply if it fits in a NATS message; otherwise a
        // clean 503 (the raw Redis error would be an unclassified 500).
        if (row.der.length > CRL_INLINE_MAX_BYTES) {
          this.logger.warn({ caId, delta, bytes: row.der.length, err: (e as Error).message }, 'CRL publication point unavailable and the CRL too large for a reply');
          throw new ProblemError(503, ProblemCode.serviceUnavailable, 'CRL 暂不可用 (CRL unavailable)', `CRL of ${caId} is not published`, undefined, { retryAfter: 5 });
        }
        this.logger.warn({ caId, delta, err: (e as Error).message }, 'CRL publication point unavailable; CRL sent in the reply');
        return { published: false, number: String(row.number), base64: Buffer.from(row.der).toString('base64') } satisfies CrlReply;
      }
      return { published: true, number: String(row.number) } satisfies CrlReply;
    });
  }

  @MessagePattern(Subjects.cert.ocsp)
  ocspRespond(@Payload() env: RpcEnvelope<OcspQuery>) {
    return runRpc(this.logger, env, async () => {
      const req = Buffer.from(String(env.data?.requestBase64 ?? ''), 'base64');
      const r = await this.ocsp.respond(req);
      return { base64: Buffer.from(r.der).toString('base64'), cacheableUntil: r.cacheableUntil, serials: r.serials };
    });
  }
}
