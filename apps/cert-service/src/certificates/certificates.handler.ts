import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  Subjects,
  type FreezeCertificateCommand,
  type IssueCertificateCommand,
  type ListCertificatesQuery,
  type RenewCertificateCommand,
  type RevokeCertificateCommand,
  type RpcEnvelope,
  type SerialCommand,
  type AuthenticateCertificateCommand,
} from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { IssueCertificateUseCase } from './usecases/issue-certificate.use-case';
import { FreezeCertificateUseCase } from './usecases/freeze-certificate.use-case';
import { UnfreezeCertificateUseCase } from './usecases/unfreeze-certificate.use-case';
import { RevokeCertificateUseCase } from './usecases/revoke-certificate.use-case';
import { RenewCertificateUseCase } from './usecases/renew-certificate.use-case';
import { CertificateQueries } from './queries/certificate-queries.service';
import { AuthenticateCertificateUseCase } from './usecases/authenticate-certificate.use-case';

/** NATS request/reply entry points of the certificate lifecycle. */
@Controller()
export class CertificatesHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly issueUc: IssueCertificateUseCase,
    private readonly freezeUc: FreezeCertificateUseCase,
    private readonly unfreezeUc: UnfreezeCertificateUseCase,
    private readonly revokeUc: RevokeCertificateUseCase,
    private readonly renewUc: RenewCertificateUseCase,
    private readonly queries: CertificateQueries,
    private readonly authenticateUc: AuthenticateCertificateUseCase,
  ) {}

  @MessagePattern(Subjects.cert.authenticate)
  authenticate(@Payload() env: RpcEnvelope<AuthenticateCertificateCommand>) {
    return runRpc(this.logger, env, () => this.authenticateUc.execute(env.data));
  }

  @MessagePattern(Subjects.cert.issue)
  issue(@Payload() env: RpcEnvelope<IssueCertificateCommand>) {
    return runRpc(this.logger, env, () => this.issueUc.execute(env.data));
  }

  @MessagePattern(Subjects.cert.get)
  get(@Payload() env: RpcEnvelope<SerialCommand>) {
    return runRpc(this.logger, env, () => this.queries.get(env.data?.serial));
  }

  @MessagePattern(Subjects.cert.list)
  list(@Payload() env: RpcEnvelope<ListCertificatesQuery>) {
    return runRpc(this.logger, env, () => this.queries.list(env.data ?? {}));
  }

  @MessagePattern(Subjects.cert.freeze)
  freeze(@Payload() env: RpcEnvelope<FreezeCertificateCommand>) {
    return runRpc(this.logger, env, () => this.freezeUc.execute(env.data));
  }

  @MessagePattern(Subjects.cert.unfreeze)
  unfreeze(@Payload() env: RpcEnvelope<FreezeCertificateCommand>) {
    return runRpc(this.logger, env, () => this.unfreezeUc.execute(env.data));
  }

  @MessagePattern(Subjects.cert.revoke)
  revoke(@Payload() env: RpcEnvelope<RevokeCertificateCommand>) {
    return runRpc(this.logger, env, () => this.revokeUc.execute(env.data));
  }

  @MessagePattern(Subjects.cert.renew)
  renew(@Payload() env: RpcEnvelope<RenewCertificateCommand>) {
    return runRpc(this.logger, env, () => this.renewUc.execute(env.data));
  }
}
