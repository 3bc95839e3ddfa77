import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Subjects, type DiscardedCertificatePage } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { ApiResult } from '../openapi/api-docs.decorators';
import { DiscardedCertificatesFilterDto } from './discarded-certificates.dto';

/** Certificates the CAs signed that issued nothing: for auditors matching an HSM's log (docs/operations.md). */
@ApiTags('audit')
@Controller('api/v1/discarded-certificates')
export class DiscardedCertificatesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({
    summary: '已签发未交付的证书 — certificates a CA signed that were then refused (account full, key compromised, a retry that won, a failed write), within your regions, newest first; paginated, `next` for the following page',
    description: 'Each entry is one signature of the CA key with no certificate issued: match it with the HSM log line by `signedDigest`, the digest the key signed (the hash the signature algorithm names; for SM2, SM3(Z ‖ TBS) with Z from the CA public key), or by serial and time. The TBS itself stays in the database (it names the subscriber). `since`/`until`: a date, or a date-time with Z or an offset.',
  })
  @ApiResult('DiscardedCertificatePage')
  @RequiresOperation('audit:read')
  list(@Query() q: DiscardedCertificatesFilterDto): Promise<DiscardedCertificatePage> {
    return this.rpc.call(Subjects.cert.discardedList, q);
  }
}
