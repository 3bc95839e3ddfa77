import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Subjects, type CaRevocationResult } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { OcspCache } from '../pki/ocsp-cache.service';
import { RequiresOperation } from '../access/access.decorators';
import { RevokeCaDto } from './cas.dto';
import { ProblemCode } from '@ecert/common';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';

/** The CA hierarchy itself: administrators only. Public CA certificates are under /pki/ca. */
@ApiTags('cas (CA administration)')
@Controller('api/v1/cas')
@RequiresOperation('admin')
export class CasController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly ocsp: OcspCache,
  ) {}

  @Post(':caId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: '吊销 CA 证书 — revoke an issuing CA, OCSP signer or seal maker (listed by its issuer\'s CRL and OCSP)' })
  @ApiResult('CaRevocationResult')
  @ApiProblems({ 404: [ProblemCode.caNotFound], 409: [ProblemCode.illegalTransition] })
  async revoke(@Param('caId') caId: string, @Body() dto: RevokeCaDto): Promise<CaRevocationResult> {
    try {
      return await this.rpc.call<CaRevocationResult>(Subjects.cert.caRevoke, { caId, ...dto });
    } finally {
      // Answers cached here may be about the CA or signed by its key: none outlives the change.
      this.ocsp.casChanged();
    }
  }
}
