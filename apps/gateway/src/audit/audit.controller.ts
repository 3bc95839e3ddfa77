import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { DataSource } from 'typeorm';
import { decodePageCursor, encodePageCursor, type AuditKeys } from '@ecert/common';
import type { Page } from '@ecert/contracts';
import { RequiresOperation } from '../access/access.decorators';
import { GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { AUDIT_KEYS } from './audit-keys.provider';
import { AuditCheckpointer, readStoredCheckpoints } from './audit-checkpointer.service';
import { CursorPageQueryDto } from '../pagination/cursor-page-query.dto';
import { ApiResult } from '../openapi/api-docs.decorators';
import type { AuditCheckpointKeyView, AuditCheckpointsView, AuditRecordView } from './audit.views';

const OUTCOMES = ['attempted', 'success', 'failure', 'refused'];

/** The audit trail's filters, with the one page query of every list (its cursor: the newest records keep arriving). */
export class AuditQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'Records whose action starts with this, e.g. POST or auth.' }) @IsOptional() @IsString() @MaxLength(128) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) target?: string;
  @ApiPropertyOptional({ enum: OUTCOMES }) @IsOptional() @IsIn(OUTCOMES) outcome?: string;
  @ApiPropertyOptional({ description: 'At or after (ISO 8601)' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'Before (ISO 8601)' }) @IsOptional() @IsISO8601() to?: string;
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
  @ApiOperation({ summary: 'The audit trail, newest first (by sequence number); paginated, `next` for the following page (MAC-chained and checkpointed; verify with npm run audit:verify)' })
  @ApiResult('AuditPage')
  async list(@Query() q: AuditQueryDto): Promise<Page<AuditRecordView>> {
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
    const pageSize = q.pageSize ?? 20;
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // Keyset on seq (the chain's order): records appended meanwhile do not shift the next page.
    if (q.after !== undefined) add('seq < ?', Number(decodePageCursor(q.after, [/^[1-9]\d{0,17}$/])[0]));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const items: AuditRecordView[] = await this.ds.query(
      `SELECT seq::int, at, client_id AS "clientId", staff_id AS "staffId", actor, action, target, outcome, request_id AS "requestId", details, hash
         FROM "gateway"."audit_log" ${clause} ORDER BY seq DESC LIMIT ${pageSize + 1} OFFSET ${q.after !== undefined ? 0 : (page - 1) * pageSize}`,
      params,
    );
    const more = items.length > pageSize;
    if (more) items.pop();
    const next = more ? { next: encodePageCursor(String(items.at(-1)!.seq)) } : {};
    if (q.after !== undefined) return { items, page: 1, pageSize, ...next };
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM "gateway"."audit_log" ${filter}`, params.slice(0, where.length));
    return { items, page, pageSize, total, ...next };
  }

  @Get('checkpoints')
  @ApiOperation({ summary: 'Signed checkpoints of the chain head, oldest first: keep them outside ecert, then audit:verify --checkpoints <dir> detects a rewritten or cut chain' })
  @ApiResult('AuditCheckpointsView')
  async checkpoints(@Query() q: CheckpointQueryDto): Promise<AuditCheckpointsView> {
    return { chain: this.checkpointer.chain, keyId: this.keys.publicKeyId, items: await readStoredCheckpoints(this.ds, q.after ?? 0, q.limit ?? 100) };
  }

  @Get('checkpoint-key')
  @ApiOperation({ summary: 'The public key that verifies audit checkpoints (keep a copy: audit:verify --public-key <file>)' })
  @ApiResult('AuditCheckpointKeyView')
  checkpointKey(): AuditCheckpointKeyView {
    return {
      chain: this.checkpointer.chain,
      algorithm: this.keys.algorithm,
      keyId: this.keys.publicKeyId,
      publicKeyPem: this.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
}
