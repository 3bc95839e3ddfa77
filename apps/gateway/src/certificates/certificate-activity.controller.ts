import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ACTIVITY_UNKNOWN_SERIALS, Subjects, type ActivityReportResult } from '@ecert/contracts';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { ReportActivityDto } from './certificate-activity.dto';

/** Business systems report the certificates they saw used: the activity of 第二十条. */
@ApiTags('certificates')
@Controller('api/v1/certificates/activity')
export class CertificateActivityController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: '证书使用记录 — report certificates this system saw used (第二十条: two years without use makes a certificate invalid)',
    description:
      'Up to 1000 items (serial, time, kind). Idempotent: the latest time wins, a replay changes nothing. All or nothing: ' +
      'a serial that is unknown or not of your regions is a 422 `activity_unknown_serials` naming them (`serials`), and nothing is recorded; ' +
      'a bad item a 400 naming its field (items.3.at).',
  })
  @ApiResult('ActivityReportResult')
  @ApiProblems({ 422: [ACTIVITY_UNKNOWN_SERIALS] })
  @RequiresOperation('certificates:activity')
  report(@Body() dto: ReportActivityDto): Promise<ActivityReportResult> {
    return this.rpc.call(Subjects.cert.activityReport, { items: dto.items.map((i) => ({ serial: i.serial, at: i.at, kind: i.kind })) });
  }
}
