import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type RevokeCaCommand, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { RevokeCaCertificateUseCase } from './revoke-ca-certificate.use-case';

/** Administration of the CA hierarchy itself (the bus policy admits the gateway's admins only). */
@Controller()
export class CaAdminHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly revokeUc: RevokeCaCertificateUseCase,
  ) {}

  @MessagePattern(Subjects.cert.caRevoke)
  revoke(@Payload() env: RpcEnvelope<RevokeCaCommand>) {
    return runRpc(this.logger, env, () => this.revokeUc.execute(env?.data));
  }
}
