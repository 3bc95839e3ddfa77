import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from './page-query.dto';

/**
 * The page query of lists that can grow large (certificates, applications, the audit trail, the
 * invalid list): besides `page`, `after` — the `next` of the previous page — continues in the same
 * order from exactly where that page ended, whatever was added or removed meanwhile.
 */
export class CursorPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'The `next` of the previous page: the items after it, in the list order (`page` is then ignored and no `total` is counted)', maxLength: 256 })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,256}$/, { message: 'after must be the next cursor of a previous page' })
  after?: string;
}
