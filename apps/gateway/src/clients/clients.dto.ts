import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { OPERATIONS } from '@ecert/common';

export class RegisterClientDto {
  @ApiProperty({ example: '社保经办系统' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ example: '自治区社会保险事业局' })
  @IsString()
  @Length(1, 128)
  department: string;

  @ApiProperty({ enum: OPERATIONS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(OPERATIONS as unknown as string[], { each: true })
  operations: string[];

  @ApiPropertyOptional({ description: 'GB/T 2260 codes the system serves; omit for all', example: ['450000'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^\d{6}$/, { each: true, message: 'each regionCodes entry must be 6 digits' })
  regionCodes?: string[];

  @ApiPropertyOptional({ default: 500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  rateLimitPerSecond?: number;

  @ApiPropertyOptional({ description: 'expiry of the first API key (ISO 8601)' })
  @IsOptional()
  @IsISO8601()
  keyExpiresAt?: string;
}

export class IssueKeyDto {
  @ApiPropertyOptional({ description: 'expiry of the new key (ISO 8601)' })
  @IsOptional()
  @IsISO8601()
  expiresAt?: string;
}

export class UpdateClientDto {
  @ApiProperty({ enum: ['enabled', 'disabled'] })
  @IsIn(['enabled', 'disabled'])
  status: 'enabled' | 'disabled';
}

export class BindCertificateDto {
  @ApiProperty({ description: 'PEM certificate issued by ecert, presented by the client over mutual TLS' })
  @IsString()
  @MaxLength(16_384)
  certificate: string;
}
