import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type OperationsOverviewQuery, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { WorkflowOverviewQuery } from './workflow-overview.query';

/** The operators' view: what is late (SLA breaches) and which sagas need attention. */
@Controller()
export class OperationsHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly overview: WorkflowOverviewQuery,
  ) {}

  @MessagePattern(Subjects.workflow.operationsOverview)
  overviewOf(@Payload() env: RpcEnvelope<OperationsOverviewQuery>) {
    return runRpc(this.logger, env, () => this.overview.execute(env.data));
  }
}
