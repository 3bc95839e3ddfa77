import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type ReportActivityCommand, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { ReportActivityUseCase } from './report-activity.use-case';

/** NATS entry point of activity reports from business systems (through the gateway). */
@Controller()
export class ActivityHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly report: ReportActivityUseCase,
  ) {}

  @MessagePattern(Subjects.cert.activityReport)
  reportActivity(@Payload() env: RpcEnvelope<ReportActivityCommand>) {
    return runRpc(this.logger, env, () => this.report.execute(env.data));
  }
}
