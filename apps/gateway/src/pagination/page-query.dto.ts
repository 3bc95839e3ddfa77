import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_LIST_PAGE_SIZE, MAX_PAGE } from '@ecert/common';

/** The largest page any list gives. */
export const MAX_PAGE_SIZE = MAX_LIST_PAGE_SIZE;

/**
 * `?page=&pageSize=` of every paginated list (1-based pages up to 10,000 — deeper, follow
 * `next`/`after` — at most 100 items), answered with
 * the one envelope `Page<T>` ({items, page, pageSize, total, next?}) in each list's fixed order.
 */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_PAGE, description: `1-based page number, at most ${MAX_PAGE} (read further with \`next\`/\`after\` where the list has them)` })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE, { message: `page must not be greater than ${MAX_PAGE}; read further with next/after` })
  page?: number;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: MAX_PAGE_SIZE, description: 'Items per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number;
}
