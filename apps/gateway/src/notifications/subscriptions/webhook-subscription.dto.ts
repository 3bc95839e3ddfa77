import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { WEBHOOK_URL_MAX_LENGTH } from '@ecert/common';
import { PageQueryDto } from '../../pagination/page-query.dto';

export class CreateWebhookSubscriptionDto {
  @ApiProperty({ example: 'https://shebao.example.gov.cn/ecert/webhook', description: 'http(s); not the platform itself, not a private address' })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url: string;

  @ApiProperty({ example: ['certificate.*', 'seal.revoked'], description: 'exact event types or a family: certificate.*, seal.*, application.* (the invalid list: certificate.invalidated)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  eventTypes: string[];

  @ApiPropertyOptional({ example: ['450100'], description: 'within the client\'s regions; omit for all of them' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(/^\d{6}$/, { each: true, message: 'each regionCodes entry must be 6 digits' })
  regionCodes?: string[];

  @ApiPropertyOptional({ example: '社保经办系统 — 证书状态同步' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  description?: string;
}

export class UpdateWebhookSubscriptionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  eventTypes?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(/^\d{6}$/, { each: true, message: 'each regionCodes entry must be 6 digits' })
  regionCodes?: string[];

  @ApiPropertyOptional({ enum: ['active', 'paused'] })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 200)
  description?: string;
}

export class ListDeliveriesDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivering', 'failed', 'succeeded', 'dead'] })
  @IsOptional()
  @IsIn(['pending', 'delivering', 'failed', 'succeeded', 'dead'])
  status?: string;
}
