import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type OperationsOverviewQuery, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { CertificateOverviewQuery } from './certificate-overview.query';

/** The operators' view: what is due (renewals, invalidations). Metrics: serviceMetricsResponder (every instance answers). */
@Controller()
export class OperationsHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly overview: CertificateOverviewQuery,
  ) {}

  @MessagePattern(Subjects.cert.operationsOverview)
  overviewOf(@Payload() env: RpcEnvelope<OperationsOverviewQuery>) {
    return runRpc(this.logger, env, () => this.overview.execute(env.data));
  }
}
