import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { OVERVIEW_TOP_MAX, overviewBounds, ProblemError, RENEWAL_WINDOW_DAYS_MAX, requestContext } from '@ecert/common';
import { Subjects, type CertificateOperationsOverview, type OperationsOverview, type WorkflowOperationsOverview } from '@ecert/contracts';
import { RequiresOperation } from '../access/access.decorators';
import { RpcClient } from '../rpc/rpc-client.service';
import { OperationsQueues } from './operations-queues.service';
import { assembleOverview, type Part } from './operations-overview';

export class OverviewQueryDto {
  @ApiPropertyOptional({ default: 10, maximum: OVERVIEW_TOP_MAX, description: 'Length of each top-N list (regions, applications needing attention)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(OVERVIEW_TOP_MAX)
  top?: number;

  @ApiPropertyOptional({ default: 30, maximum: RENEWAL_WINDOW_DAYS_MAX, description: 'Renewals due within this many days' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(RENEWAL_WINDOW_DAYS_MAX)
  renewalWindowDays?: number;
}

@ApiTags('operations')
@Controller('api/v1/operations')
export class OperationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly queues: OperationsQueues,
  ) {}

  @Get('overview')
  @RequiresOperation('operations:read')
  @ApiOperation({ summary: 'What is late (SLA breaches by tier and region), what failed (sagas needing attention, failed jobs per queue), what is due (renewals, invalidations); within the caller\'s regions' })
  async overview(@Query() q: OverviewQueryDto): Promise<OperationsOverview> {
    // The DTO gave a clear 400 already; the services check the same bounds again.
    const bounds = overviewBounds(q);
    const [workflow, certificates, queues] = await Promise.all([
      part<WorkflowOperationsOverview>('workflow-service', () => this.rpc.call(Subjects.workflow.operationsOverview, bounds)),
      part<CertificateOperationsOverview>('cert-service', () => this.rpc.call(Subjects.cert.operationsOverview, bounds)),
      part('queues', () => this.queues.failures()),
    ]);
    return assembleOverview({ at: new Date(), regions: [...(requestContext.getStore()?.regions ?? [])], workflow, certificates, queues });
  }
}

/** A service that is down or slow leaves its part empty; a refusal or a bad request is the caller's answer. */
async function part<T>(source: string, fn: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (e instanceof ProblemError && e.status < 500) throw e;
    return { ok: false, source };
  }
}
