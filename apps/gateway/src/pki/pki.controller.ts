import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { ProblemCode, ProblemError, type EcertConfig } from '@ecert/common';
import { Subjects, type BinaryReply, type CaView, type CrlReply } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from '../gateway.tokens';
import { Public } from '../access/access.decorators';
import { ApiFile, ApiProblems, ApiResult } from '../openapi/api-docs.decorators';
import { BUS_PROBLEMS } from '../openapi/problem-responses';
import { OcspCache } from './ocsp-cache.service';

/** How long a CRL that came in the cert-service's reply (Redis failing) is served from memory: the answers' max-age. */
const CRL_FALLBACK_MS = 60_000;
const CRL_FILE = /^([a-z0-9]+-[a-z0-9-]+?)(-delta)?\.crl$/;
const CA_FILE = /^([a-z0-9]+-[a-z0-9-]+)\.(crt|cer|pem)$/;

/** Public PKI material: no authentication, relying parties and OpenSSL fetch these directly. */
@ApiTags('pki (public)')
@Public()
@Controller('pki')
export class PkiController {
  private readonly caCache = new Map<string, { der: Buffer; until: number }>();
  /**
   * CRLs the cert-service sent back in its reply because Redis could not take them. Kept for a
   * minute so that, while Redis is down, each anonymous GET is not one more database read and
   * NATS round trip at the cert-service; dropped at any status change (a new CRL is coming) and
   * when the invalidation broadcasts cannot reach this gateway.
   */
  private readonly crlFallback = new Map<string, { der: Buffer; until: number }>();

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
    private readonly ocspCache: OcspCache,
  ) {
    ocspCache.onInvalidate(() => this.crlFallback.clear());
  }

  @Get('ca')
  @ApiOperation({
    summary: 'Every CA certificate ecert holds (roots, issuing CAs, OCSP signers, seal makers)',
    description: 'A short, fixed list (not paginated): the CA hierarchy, with where to fetch each certificate and CRL.',
  })
  @ApiResult('CaList')
  @ApiProblems(BUS_PROBLEMS)
  listCas(): Promise<CaView[]> {
    return this.rpc.call(Subjects.cert.caList, {});
  }

  @Get('ca/:file')
  @ApiOperation({ summary: 'A CA certificate, DER (.crt/.cer) or PEM (.pem), e.g. sm2-issuing.crt' })
  @ApiParam({ name: 'file', description: '{caId}.crt, {caId}.cer (DER) or {caId}.pem', example: 'sm2-issuing.crt' })
  @ApiFile(['application/pkix-cert', 'application/x-pem-file'], 'The certificate: DER for .crt/.cer, PEM for .pem', ['Cache-Control'])
  @ApiProblems(BUS_PROBLEMS, { 404: [ProblemCode.caNotFound] })
  async caCertificate(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const m = CA_FILE.exec(file);
    if (!m) throw ProblemError.notFound(ProblemCode.caNotFound, `No CA certificate named '${file}'`);
    const [, caId, ext] = m;
    let cached = this.caCache.get(caId);
    if (!cached || cached.until < Date.now()) {
      const r = await this.rpc.call<BinaryReply>(Subjects.cert.caCertificate, { caId });
      cached = { der: Buffer.from(r.base64, 'base64'), until: Date.now() + 300_000 };
      this.caCache.set(caId, cached);
    }
    res.setHeader('Cache-Control', 'public, max-age=3600');
    if (ext === 'pem') {
      res.type('application/x-pem-file').send(`-----BEGIN CERTIFICATE-----\n${cached.der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`);
    } else {
      res.type('application/pkix-cert').send(cached.der);
    }
  }

  @Get('crl/:file')
  @ApiOperation({ summary: 'Newest complete CRL ({caId}.crl) or delta CRL ({caId}-delta.crl), DER' })
  @ApiParam({ name: 'file', description: '{caId}.crl or {caId}-delta.crl', example: 'sm2-issuing.crl' })
  @ApiFile(['application/pkix-crl'], 'The DER CRL (RFC 5280), as published by the cert-service', ['Cache-Control'])
  @ApiProblems(BUS_PROBLEMS, { 404: [ProblemCode.notFound, ProblemCode.caNotFound], 503: [ProblemCode.serviceUnavailable] })
  async crl(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const m = CRL_FILE.exec(file);
    if (!m) throw ProblemError.notFound(ProblemCode.notFound, `No CRL named '${file}'`);
    const [, caId, deltaSuffix] = m;
    const delta = !!deltaSuffix;
    const key = `${this.config.ECERT_REDIS_PREFIX}:crl:${caId}:${delta ? 'delta' : 'full'}`;
    let der = await this.redis.getBuffer(key).catch(() => null);
    if (der) this.crlFallback.delete(key);
    else {
      const kept = this.crlFallback.get(key);
      if (kept && kept.until > Date.now()) der = kept.der;
    }
    if (!der) {
      // Publication point empty (Redis restarted) or down: have the cert-service publish it again;
      // if Redis cannot take it, the reply carries the CRL.
      const generation = this.ocspCache.generation;
      const r = await this.rpc.call<CrlReply>(Subjects.cert.crl, { caId, delta });
      if (r.base64) {
        der = Buffer.from(r.base64, 'base64');
        // Not if a status change happened meanwhile (the CRL may predate it) or none could be heard.
        if (generation === this.ocspCache.generation && this.ocspCache.listening()) this.crlFallback.set(key, { der, until: Date.now() + CRL_FALLBACK_MS });
      } else der = await this.redis.getBuffer(key).catch(() => null);
    }
    if (!der) throw new ProblemError(503, ProblemCode.serviceUnavailable, 'CRL 暂不可用 (CRL unavailable)', `CRL of ${caId} is not published`);
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.type('application/pkix-crl').send(der);
  }
}
