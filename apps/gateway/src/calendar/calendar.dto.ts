import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** No year has more days; bounds the work on a hostile body. */
const MAX_DATES = 366;

/**
 * One year of the State Council's notice (放假安排). Only the shape is checked here; the
 * workflow-service checks the dates are real, in the year, not both, and workdays are weekend days.
 */
export class CalendarYearDto {
  @ApiProperty({ type: [String], example: ['2027-01-01', '2027-02-05'], description: 'days off that would be working days (YYYY-MM-DD)' })
  @IsArray()
  @ArrayMaxSize(MAX_DATES)
  @IsString({ each: true })
  @Matches(DATE, { each: true, message: 'every holidays entry must be a YYYY-MM-DD date' })
  holidays: string[];

  @ApiProperty({ type: [String], example: ['2027-02-14'], description: 'weekend days that are working days (调休)' })
  @IsArray()
  @ArrayMaxSize(MAX_DATES)
  @IsString({ each: true })
  @Matches(DATE, { each: true, message: 'every workdays entry must be a YYYY-MM-DD date' })
  workdays: string[];

  @ApiPropertyOptional({ maxLength: 200, example: '国务院办公厅关于2027年部分节假日安排的通知' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;
}
