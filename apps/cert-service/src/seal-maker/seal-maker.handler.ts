import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type RpcEnvelope, type SealMakerSignCommand, type SealMakerSignReply } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { SignSealInfoUseCase } from './sign-seal-info.use-case';

/**
 * The seal maker (制章者): signs a seal's DER(SES_SealInfo) with the SM2 seal-maker key, which
 * never leaves the cert-service. It signs nothing else: the bytes must be one DER SES_SealInfo
 * with header ES/4, so this subject cannot be used to have certificates, CRLs or OCSP answers
 * signed by a CA-issued key; and only for a seal bound to an active certificate ecert issued to
 * the unit named (SignSealInfoUseCase).
 */
@Controller()
export class SealMakerHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly signSealInfo: SignSealInfoUseCase,
  ) {}

  @MessagePattern(Subjects.cert.sealMakerSign)
  sign(@Payload() env: RpcEnvelope<SealMakerSignCommand>) {
    return runRpc(this.logger, env, (): Promise<SealMakerSignReply> => this.signSealInfo.execute(env?.data));
  }
}
