import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Subjects, type CalendarStatusView, type CalendarYearOverride } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { CalendarYearDto } from './calendar.dto';
import { CalendarYearPipe } from './calendar-year.pipe';
import { ApiResult } from '../openapi/api-docs.decorators';

/** 工作日历: the working days the applications' time limits count in (holidays and 调休). */
@ApiTags('calendar')
@Controller('api/v1/calendar')
export class CalendarController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: '工作日历状态 — which years the calendar knows, which an operator loaded, which are missing' })
  @ApiResult('CalendarStatusView')
  @RequiresOperation('applications:read')
  status(): Promise<CalendarStatusView> {
    return this.rpc.call(Subjects.workflow.calendarStatus, {});
  }

  @Put(':year')
  @ApiOperation({
    summary: '载入节假日安排 — load one year of the State Council notice (replaces the packaged data for that year)',
    description: 'Errors: 400 naming the field (a date not in the year, listed twice, a workday that is no weekend day, a day both holiday and workday).',
  })
  @ApiResult('CalendarStatusView')
  @RequiresOperation('admin')
  put(@Param('year', CalendarYearPipe) year: number, @Body() dto: CalendarYearDto): Promise<CalendarStatusView> {
    const override: CalendarYearOverride = { year, holidays: dto.holidays, workdays: dto.workdays, ...(dto.source !== undefined ? { source: dto.source } : {}) };
    return this.rpc.call(Subjects.workflow.calendarPut, override);
  }
}
