import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { DataSource } from 'typeorm';
import type { AuditKeys } from '@ecert/common';
import { RequiresOperation } from '../access/access.decorators';
import { GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { AUDIT_KEYS } from './audit-keys.provider';
import { AuditCheckpointer, readStoredCheckpoints } from './audit-checkpointer.service';

const OUTCOMES = ['attempted', 'success', 'failure', 'refused'];

export class AuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) target?: string;
  @ApiPropertyOptional({ enum: OUTCOMES }) @IsOptional() @IsIn(OUTCOMES) outcome?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}

export class CheckpointQueryDto {
  @ApiPropertyOptional({ description: 'Only checkpoints of records after this sequence number', default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) after?: number;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

@ApiTags('audit')
@Controller('api/v1/audit')
@RequiresOperation('audit:read')
export class AuditController {
  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(AUDIT_KEYS) private readonly keys: AuditKeys,
    private readonly checkpointer: AuditCheckpointer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail (MAC-chained and checkpointed; verify with npm run audit:verify)' })
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
      `SELECT seq::int, at, client_id AS "clientId", staff_id AS "staffId", actor, action, target, outcome, request_id AS "requestId", details, hash
         FROM "gateway"."audit_log" ${clause} ORDER BY seq DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { items, page, pageSize, total };
  }

  @Get('checkpoints')
  @ApiOperation({ summary: 'Signed checkpoints of the chain head, oldest first: keep them outside ecert, then audit:verify --checkpoints <dir> detects a rewritten or cut chain' })
  async checkpoints(@Query() q: CheckpointQueryDto) {
    return { chain: this.checkpointer.chain, keyId: this.keys.publicKeyId, items: await readStoredCheckpoints(this.ds, q.after ?? 0, q.limit ?? 100) };
  }

  @Get('checkpoint-key')
  @ApiOperation({ summary: 'The public key that verifies audit checkpoints (keep a copy: audit:verify --public-key <file>)' })
  checkpointKey() {
    return {
      chain: this.checkpointer.chain,
      algorithm: this.keys.algorithm,
      keyId: this.keys.publicKeyId,
      publicKeyPem: this.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
}
