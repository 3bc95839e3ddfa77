import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type CertificateView, type IssuePlatformHeldCertificateCommand, type PlatformKeySignCommand, type PlatformKeySignReply, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { IssuePlatformHeldCertificateUseCase } from './issue-platform-held-certificate.use-case';
import { SignWithPlatformKeyUseCase } from './sign-with-platform-key.use-case';

/**
 * Keys the platform holds for the HRSS offices' own seals: certificates for keys generated in the
 * key store (admin), and server-side signing of a document's CMS signed attributes with them
 * (the seal-service, inside a document-sealing request). Units' keys are never here (UKeys).
 */
@Controller()
export class PlatformKeysHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly issueUc: IssuePlatformHeldCertificateUseCase,
    private readonly signUc: SignWithPlatformKeyUseCase,
  ) {}

  @MessagePattern(Subjects.cert.platformKeyIssue)
  issue(@Payload() env: RpcEnvelope<IssuePlatformHeldCertificateCommand>) {
    return runRpc(this.logger, env, (): Promise<CertificateView> => this.issueUc.execute(env?.data));
  }

  @MessagePattern(Subjects.cert.platformKeySign)
  sign(@Payload() env: RpcEnvelope<PlatformKeySignCommand>) {
    return runRpc(this.logger, env, (): Promise<PlatformKeySignReply> => this.signUc.execute(env?.data));
  }
}
