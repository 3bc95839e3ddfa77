import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Subjects, type CertificateView, type Page } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { OcspCache } from '../pki/ocsp-cache.service';
import { RequiresOperation } from '../access/access.decorators';
import { serialKey } from '@ecert/pki';
import { IssueCertificateDto, LifecycleCommentDto, ListCertificatesDto, RenewCertificateDto, RevokeCertificateDto } from './certificate.dto';
import { PlatformHeldCertificateDto } from './platform-held-certificate.dto';
import { ProblemCode } from '@ecert/common';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';

/** What issuing a certificate from a CSR may be refused for (cert-service: csr-acceptance, key policy, account limits, the CA). */
const ISSUANCE_PROBLEMS = {
  400: [ProblemCode.csrMalformed, ProblemCode.csrSignatureInvalid, ProblemCode.keyRejected, ProblemCode.keyCompromised],
  409: [ProblemCode.certificateLimitReached, ProblemCode.concurrentModification],
  422: [ProblemCode.idempotencyKeyReused],
  503: [ProblemCode.caRevoked, ProblemCode.serviceUnavailable],
} as const;

/** A status change of one certificate (certificate-transition.runner). */
const TRANSITION_PROBLEMS = {
  404: [ProblemCode.certificateNotFound],
  409: [ProblemCode.illegalTransition, ProblemCode.concurrentModification],
  422: [ProblemCode.idempotencyKeyReused],
} as const;
import { ForwardsIdempotencyKey, IdempotencyKeyHeader, withIdempotencyKey } from '../idempotency/forwarded-idempotency-key.decorator';

@ApiTags('certificates')
@Controller('api/v1/certificates')
export class CertificatesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly ocsp: OcspCache,
  ) {}

  @Post()
  @ApiOperation({ summary: '申请证书 — issue a unit or personal certificate from a CSR' })
  @ApiCreatedResponse({ description: 'The certificate and its chain (PEM) with its serial' })
  @ApiResult('CertificateView')
  @ApiProblems(ISSUANCE_PROBLEMS)
  @RequiresOperation('certificates:issue')
  @ForwardsIdempotencyKey()
  issue(@Body() dto: IssueCertificateDto, @IdempotencyKeyHeader() key?: string): Promise<CertificateView> {
    return this.rpc.call(Subjects.cert.issue, withIdempotencyKey(dto, key));
  }

  @Post('platform-held')
  @ApiOperation({
    summary: '平台托管密钥证书 — a unit certificate for an HRSS office\'s own seal, its key pair generated and kept in the platform\'s key store (admin)',
    description: 'The key never leaves the key store; the seal-service signs documents with it server-side. Units\' keys are never platform-held: they are on their UKeys.',
  })
  @ApiCreatedResponse({ description: 'The certificate (platformHeld: true) and its chain' })
  @ApiResult('CertificateView')
  @ApiProblems(ISSUANCE_PROBLEMS)
  @RequiresOperation('admin')
  issuePlatformHeld(@Body() dto: PlatformHeldCertificateDto): Promise<CertificateView> {
    return this.rpc.call(Subjects.cert.platformKeyIssue, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List certificates within your regions, newest first (created_at, then serial); paginated, `next` for the following page' })
  @ApiResult('CertificatePage')
  @RequiresOperation('certificates:read')
  list(@Query() q: ListCertificatesDto): Promise<Page<CertificateView>> {
    return this.rpc.call(Subjects.cert.list, q);
  }

  @Get(':serial')
  @ApiOperation({ summary: 'One certificate by serial (hex)' })
  @ApiResult('CertificateView')
  @ApiProblems({ 404: [ProblemCode.certificateNotFound] })
  @RequiresOperation('certificates:read')
  get(@Param('serial') serial: string): Promise<CertificateView> {
    return this.rpc.call(Subjects.cert.get, { serial });
  }

  @Post(':serial/freeze')
  @HttpCode(200)
  @ApiOperation({ summary: '挂失 — freeze (revoke with reason certificateHold)' })
  @ApiResult('CertificateView')
  @ApiProblems(TRANSITION_PROBLEMS)
  @RequiresOperation('certificates:manage')
  @ForwardsIdempotencyKey()
  freeze(@Param('serial') serial: string, @Body() dto: LifecycleCommentDto, @IdempotencyKeyHeader() key?: string): Promise<CertificateView> {
    return this.lifecycle(Subjects.cert.freeze, withIdempotencyKey({ serial, ...dto }, key));
  }

  @Post(':serial/unfreeze')
  @HttpCode(200)
  @ApiOperation({ summary: '挂失恢复 — lift the hold' })
  @ApiResult('CertificateView')
  @ApiProblems(TRANSITION_PROBLEMS)
  @RequiresOperation('certificates:manage')
  @ForwardsIdempotencyKey()
  unfreeze(@Param('serial') serial: string, @Body() dto: LifecycleCommentDto, @IdempotencyKeyHeader() key?: string): Promise<CertificateView> {
    return this.lifecycle(Subjects.cert.unfreeze, withIdempotencyKey({ serial, ...dto }, key));
  }

  @Post(':serial/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: '吊销 — permanent revocation with an RFC 5280 reason' })
  @ApiResult('CertificateView')
  @ApiProblems(TRANSITION_PROBLEMS)
  @RequiresOperation('certificates:manage')
  @ForwardsIdempotencyKey()
  revoke(@Param('serial') serial: string, @Body() dto: RevokeCertificateDto, @IdempotencyKeyHeader() key?: string): Promise<CertificateView> {
    return this.lifecycle(Subjects.cert.revoke, withIdempotencyKey({ serial, ...dto }, key));
  }

  @Post(':serial/renew')
  @HttpCode(201)
  @ApiOperation({ summary: '更新 — new certificate for a new CSR; the old one is revoked as superseded' })
  @ApiResult('CertificateView')
  @ApiProblems(ISSUANCE_PROBLEMS, TRANSITION_PROBLEMS)
  @RequiresOperation('certificates:issue')
  @ForwardsIdempotencyKey()
  renew(@Param('serial') serial: string, @Body() dto: RenewCertificateDto, @IdempotencyKeyHeader() key?: string): Promise<CertificateView> {
    return this.lifecycle(Subjects.cert.renew, withIdempotencyKey({ serial, ...dto }, key));
  }

  /** Status changed: this gateway's cached OCSP answers for the serial go before the reply does. */
  private async lifecycle(subject: string, data: { serial: string }): Promise<CertificateView> {
    try {
      return await this.rpc.call<CertificateView>(subject, data);
    } finally {
      // Keyed like the serials parsed from OCSP requests; a serial that is not hex was refused anyway.
      const hex = data.serial.trim().replace(/[:\s]/g, '');
      if (/^[0-9a-fA-F]+$/.test(hex)) this.ocsp.invalidate([serialKey(hex)]);
    }
  }
}
