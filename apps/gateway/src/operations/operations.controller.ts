import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { OVERVIEW_TOP_MAX, RENEWAL_WINDOW_DAYS_MAX, requestContext } from '@ecert/common';
import type { OperationsOverview } from '@ecert/contracts';
import { RequiresOperation } from '../access/access.decorators';
import { OperationsOverviewService } from './operations-overview.service';
import { ApiResult } from '../openapi/api-docs.decorators';

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
  constructor(private readonly overviews: OperationsOverviewService) {}

  @Get('overview')
  @RequiresOperation('operations:read')
  @ApiResult('OperationsOverview')
  @ApiOperation({ summary: 'What is late (SLA breaches by tier and region), what failed (sagas needing attention, dead-lettered webhooks and mails, failed jobs per queue), what is due (renewals, invalidations); within the caller\'s regions; at most 30 s old' })
  overview(@Query() q: OverviewQueryDto): Promise<OperationsOverview> {
    // The DTO gave a clear 400 already; the services check the same bounds again.
    return this.overviews.overview(requestContext.getStore()?.regions ?? [], q);
  }
}
