import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Subjects, type InvalidListPage, type InvalidationRunView } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { InvalidListExportDto, InvalidListFilterDto, StartInvalidationRunDto } from './invalid-list.dto';
import { csvRow, INVALID_LIST_CSV_COLUMNS } from './invalid-list-csv';
import { ProblemCode } from '@ecert/common';
import { ApiFile, ApiProblems, ApiResult } from '../openapi/api-docs.decorators';

/** Rows per page the export asks the cert-service for: bounded memory whatever the list's size. */
const EXPORT_PAGE = 1000;

/** 失效名单 (第二十条): the certificates made invalid, for the offices; and the runs that make them. */
@ApiTags('invalid-list')
@Controller('api/v1/invalid-list')
export class InvalidListController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: '失效名单 — invalid certificates within your regions, newest first (invalidatedAt, then serial); paginated, `next` for the following page' })
  @ApiResult('InvalidListPage')
  @RequiresOperation('certificates:read')
  list(@Query() q: InvalidListFilterDto): Promise<InvalidListPage> {
    return this.rpc.call(Subjects.cert.invalidList, q);
  }

  @Get('export.csv')
  @ApiOperation({ summary: '失效名单导出 — the same list as CSV (UTF-8 with BOM), streamed page by page' })
  @ApiFile(['text/csv'], `UTF-8 with BOM, CRLF rows; columns ${INVALID_LIST_CSV_COLUMNS.join(', ')}. a failure midway cuts the connection, so a short download is visibly incomplete`, ['Content-Disposition', 'Cache-Control'])
  @RequiresOperation('certificates:read')
  async export(@Query() q: InvalidListExportDto, @Res() res: Response): Promise<void> {
    // The first page before any byte is sent: a refusal (a bad filter, the service down) is still a problem+json.
    let page = await this.rpc.call<InvalidListPage>(Subjects.cert.invalidList, { ...q, pageSize: EXPORT_PAGE, count: false });
    res.status(200).set({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="invalid-list.csv"', 'cache-control': 'private, no-store' });
    // A client that goes away ends the export (a socket that never drains again would hold it forever).
    let gone = false;
    const closed = new Promise<void>((resolve) => res.once('close', () => ((gone = true), resolve())));
    res.write('\uFEFF' + INVALID_LIST_CSV_COLUMNS.join(',') + '\r\n');
    try {
      for (;;) {
        const chunk = page.items.map(csvRow).join('');
        if (chunk && !res.write(chunk)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), closed]);
        if (gone) return;
        if (!page.next) break;
        page = await this.rpc.call<InvalidListPage>(Subjects.cert.invalidList, { ...q, pageSize: EXPORT_PAGE, after: page.next, count: false });
        if (gone) return;
      }
      res.end();
    } catch {
      // Headers are out: cut the stream so the download is visibly incomplete, not silently short.
      res.destroy();
    }
  }

  @Post('runs')
  @HttpCode(202)
  @ApiOperation({
    summary: '失效判定 — start a 第二十条 run now: a dry run counts by region and reason, the real one revokes, suspends seals, lists (admin)',
    description: 'Queued; poll GET /api/v1/invalid-list/runs/{id} for its status and counts.',
  })
  @ApiAcceptedResponse({ description: 'The queued run' })
  @ApiResult('InvalidationRunView')
  @RequiresOperation('admin')
  start(@Body() dto: StartInvalidationRunDto): Promise<InvalidationRunView> {
    return this.rpc.call(Subjects.cert.invalidationRunStart, { dryRun: dto.dryRun });
  }

  @Get('runs/:id')
  @ApiOperation({ summary: 'One 第二十条 run: queued, running, finished (with counts by region and reason) or failed (admin)' })
  @ApiResult('InvalidationRunView')
  @ApiProblems({ 404: [ProblemCode.notFound] })
  @RequiresOperation('admin')
  run(@Param('id') id: string): Promise<InvalidationRunView> {
    return this.rpc.call(Subjects.cert.invalidationRunGet, { id });
  }
}
