import { CursorPageQueryDto } from '../pagination/cursor-page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { REVOCATION_REASONS } from '@ecert/contracts';

export class UnitDto {
  @ApiProperty({ example: '广西某某科技有限公司' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ description: '统一社会信用代码 (GB 32100)', example: '91450100MA5KXXXX0X' })
  @IsString()
  @Length(18, 18, { message: 'uscc must be 18 characters' })
  uscc: string;

  @ApiProperty({ description: 'GB/T 2260 region code', example: '450100' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'regionCode must be 6 digits' })
  regionCode: string;

  @ApiProperty({ description: '社保账户 (social-insurance account number)', example: '4501000001' })
  @IsString()
  @Matches(/^[0-9A-Za-z-]{1,32}$/, { message: 'accountNo must be 1-32 letters, digits or hyphens' })
  accountNo: string;
}

export class PersonDto {
  @ApiProperty({ example: '张三' })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ description: '居民身份证号码 (GB 11643)' })
  @IsString()
  @Length(18, 18, { message: 'idNumber must be 18 characters' })
  idNumber: string;
}

export class IssueCertificateDto {
  @ApiProperty({ enum: ['unit', 'personal'] })
  @IsIn(['unit', 'personal'])
  profile: 'unit' | 'personal';

  @ApiProperty({ description: 'PEM PKCS#10 request made on the UKey (SM2 with distid 1234567812345678, P-256/P-384, RSA ≥ 2048)' })
  @IsString()
  @MaxLength(16_384)
  csr: string;

  @ApiProperty({ type: UnitDto })
  @IsObject()
  @ValidateNested()
  @Type(() => UnitDto)
  unit: UnitDto;

  @ApiPropertyOptional({ type: PersonDto, description: 'required for profile=personal' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PersonDto)
  person?: PersonDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 1095, default: 365 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1095)
  validityDays?: number;

}

export class LifecycleCommentDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  comment?: string;
}

export class RevokeCertificateDto extends LifecycleCommentDto {
  @ApiProperty({ enum: REVOCATION_REASONS, description: 'RFC 5280 CRLReason (freeze is certificateHold)' })
  @IsIn(REVOCATION_REASONS as unknown as string[])
  reason: (typeof REVOCATION_REASONS)[number];
}

export class RenewCertificateDto {
  @ApiProperty({ description: 'PEM PKCS#10 request for the new key' })
  @IsString()
  @MaxLength(16_384)
  csr: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1095 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1095)
  validityDays?: number;
}

export class ListCertificatesDto extends CursorPageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(18, 18, { message: 'uscc must be 18 characters' })
  uscc?: string;

  @ApiPropertyOptional({ enum: ['active', 'frozen', 'revoked', 'expired', 'invalid'] })
  @IsOptional()
  @IsIn(['active', 'frozen', 'revoked', 'expired', 'invalid'])
  status?: 'active' | 'frozen' | 'revoked' | 'expired' | 'invalid';

  @ApiPropertyOptional({ enum: ['unit', 'personal'] })
  @IsOptional()
  @IsIn(['unit', 'personal'])
  profile?: 'unit' | 'personal';
}
