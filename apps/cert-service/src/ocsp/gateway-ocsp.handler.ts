import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type OcspDelegateCommand, type OcspStatusQuery, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { IssueGatewayOcspSignerUseCase } from './issue-gateway-ocsp-signer.use-case';
import { AnswerOcspStatusUseCase } from './answer-ocsp-status.use-case';

/** What gateways need to answer OCSP requests with a nonce themselves (bus policy: gateway only). */
@Controller()
export class GatewayOcspHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly delegate: IssueGatewayOcspSignerUseCase,
    private readonly status: AnswerOcspStatusUseCase,
  ) {}

  @MessagePattern(Subjects.cert.ocspDelegate)
  ocspDelegate(@Payload() env: RpcEnvelope<OcspDelegateCommand>) {
    return runRpc(this.logger, env, () => this.delegate.execute(env?.data));
  }

  @MessagePattern(Subjects.cert.ocspStatus)
  ocspStatus(@Payload() env: RpcEnvelope<OcspStatusQuery>) {
    return runRpc(this.logger, env, () => this.status.execute(env?.data));
  }
}
