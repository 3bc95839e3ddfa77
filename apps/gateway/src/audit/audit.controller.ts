import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { DataSource } from 'typeorm';
import { RequiresOperation } from '../access/access.decorators';
import { GATEWAY_DATA_SOURCE } from '../gateway.tokens';

export class AuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) target?: string;
  @ApiPropertyOptional({ enum: ['success', 'failure', 'refused'] }) @IsOptional() @IsIn(['success', 'failure', 'refused']) outcome?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}

@ApiTags('audit')
@Controller('api/v1/audit')
@RequiresOperation('audit:read')
export class AuditController {
  constructor(@Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail (hash-chained; verify with npm run audit:verify)' })
  async list(@Query() q: AuditQueryDto) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.action) add('action LIKE ?', `${q.action}%`);
    if (q.target) add('target = ?', q.target);
    if (q.outcome) add('outcome = ?', q.outcome);
    if (q.from) add('at >= ?', q.from);
    if (q.to) add('at < ?', q.to);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM "gateway"."audit_log" ${clause}`, params);
    const items = await this.ds.query(
      `SELECT seq::int, at, client_id AS "clientId", staff_id AS "staffId", action, target, outcome, request_id AS "requestId", details, hash
         FROM "gateway"."audit_log" ${clause} ORDER BY seq DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { items, page, pageSize, total };
  }
}
