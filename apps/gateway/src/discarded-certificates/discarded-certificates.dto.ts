import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { CursorPageQueryDto } from '../pagination/cursor-page-query.dto';

export class DiscardedCertificatesFilterDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'The CA whose key signed them', example: 'sm2-issuing' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'caId must be the id of a CA (lower-case letters, digits and -)' })
  caId?: string;

  @ApiPropertyOptional({ description: 'Region code (GB/T 2260) of the subscriber; a province or city includes what lies in it', example: '450100' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region?: string;

  @ApiPropertyOptional({ description: 'Signed at or after (ISO 8601 date or date-time)', example: '2026-12-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date or date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'Signed before (ISO 8601 date or date-time)', example: '2026-12-02' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date or date-time' })
  until?: string;
}
