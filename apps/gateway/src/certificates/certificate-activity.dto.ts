import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsString, Matches, ValidateNested } from 'class-validator';
import { ACTIVITY_REPORT_MAX_ITEMS, REPORTED_ACTIVITY_KINDS, type ReportedActivityKind } from '@ecert/contracts';

export class ActivityReportItemDto {
  @ApiProperty({ description: 'Certificate serial (hex, colons allowed)', example: '5f3a9c0d1e2b4a6c8d0e1f2a3b4c5d6e' })
  @IsString()
  @Matches(/^[0-9A-Fa-f:]{2,59}$/, { message: 'serial must be hexadecimal' })
  serial: string;

  @ApiProperty({ description: 'When the system saw the certificate used (ISO 8601, not in the future)', example: '2026-11-30T09:15:00+08:00' })
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 date-time' })
  at: string;

  @ApiProperty({ enum: REPORTED_ACTIVITY_KINDS, description: 'business_use: the system saw the certificate used (its own use; the platform records the rest itself)' })
  @IsIn([...REPORTED_ACTIVITY_KINDS])
  kind: ReportedActivityKind;
}

export class ReportActivityDto {
  @ApiProperty({ type: [ActivityReportItemDto], minItems: 1, maxItems: ACTIVITY_REPORT_MAX_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ACTIVITY_REPORT_MAX_ITEMS, { message: `an activity report holds at most ${ACTIVITY_REPORT_MAX_ITEMS} items` })
  @ValidateNested({ each: true })
  @Type(() => ActivityReportItemDto)
  items: ActivityReportItemDto[];
}
