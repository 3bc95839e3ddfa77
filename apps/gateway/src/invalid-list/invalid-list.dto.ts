import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { INVALIDATION_REASONS, type InvalidationReason } from '@ecert/contracts';
import { CursorPageQueryDto } from '../pagination/cursor-page-query.dto';

export class InvalidListFilterDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'Region code (GB/T 2260); a province or city includes what lies in it', example: '450100' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region?: string;

  @ApiPropertyOptional({ enum: INVALIDATION_REASONS })
  @IsOptional()
  @IsIn([...INVALIDATION_REASONS])
  reason?: InvalidationReason;

  @ApiPropertyOptional({ description: 'Invalidated at or after (ISO 8601 date or date-time)', example: '2026-11-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date or date-time' })
  since?: string;
}

/** The export takes the filters, not the paging. */
export class InvalidListExportDto {
  @ApiPropertyOptional({ example: '450100' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region?: string;

  @ApiPropertyOptional({ enum: INVALIDATION_REASONS })
  @IsOptional()
  @IsIn([...INVALIDATION_REASONS])
  reason?: InvalidationReason;

  @ApiPropertyOptional({ example: '2026-11-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date or date-time' })
  since?: string;
}

export class StartInvalidationRunDto {
  @ApiProperty({ description: 'true: count what would be made invalid, by region and reason, changing nothing; false: the real run' })
  @IsBoolean()
  dryRun: boolean;
}
