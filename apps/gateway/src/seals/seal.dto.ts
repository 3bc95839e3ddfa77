import { PageQueryDto } from '../pagination/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { SEAL_KINDS, SEAL_PURPOSES, SEAL_STATUSES, type SealKind, type SealPurpose, type SealStatus } from '@ecert/contracts';

/** 512 KiB of binary as base64 (the seal-service checks the decoded size again). */
const MAX_BASE64 = Math.ceil((512 * 1024) / 3) * 4;

export class GenerateSealImageDto {
  @ApiPropertyOptional({ example: '合同专用章', maxLength: 20, description: 'a horizontal line under the star' })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  centerText?: string;

  @ApiPropertyOptional({ example: '4501030012345', maxLength: 30, description: 'a small line near the bottom, e.g. a number' })
  @IsOptional()
  @IsString()
  @Length(1, 30)
  bottomText?: string;
}

export class CreateSealDto {
  @ApiProperty({ enum: SEAL_KINDS, description: 'official 法定名称章, department 内设机构章, branch 分支机构章, special 专用章 (with purpose), position 职务章, personal 名章' })
  @IsIn(SEAL_KINDS as unknown as string[], { message: `kind must be one of ${SEAL_KINDS.join(', ')}` })
  kind: SealKind;

  @ApiPropertyOptional({ enum: SEAL_PURPOSES, description: 'required for kind=special (合同/财务/发票/审计/报关), refused otherwise' })
  @ValidateIf((o: CreateSealDto) => o.kind === 'special' || o.purpose !== undefined)
  @IsIn(SEAL_PURPOSES as unknown as string[], { message: `purpose must be one of ${SEAL_PURPOSES.join(', ')} (required for kind=special)` })
  purpose?: SealPurpose;

  @ApiProperty({ example: '南宁市某某科技有限公司', maxLength: 128 })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiPropertyOptional({
    description: 'PNG with a transparent background, base64 (≤ 512 KiB, ≤ 2000×2000 px); see POST /api/v1/seals/images/extract for scans. Exactly one of image and generateImage',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BASE64, { message: 'image must be at most 512 KiB' })
  image?: string;

  @ApiPropertyOptional({ type: () => GenerateSealImageDto, description: 'draw the picture from name instead of uploading one (round if widthMm = heightMm, else oval)' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GenerateSealImageDto)
  generateImage?: GenerateSealImageDto;

  @ApiProperty({ minimum: 5, maximum: 200, example: 42, description: 'printed width, whole millimetres' })
  @IsInt()
  @Min(5)
  @Max(200)
  widthMm: number;

  @ApiProperty({ minimum: 5, maximum: 200, example: 42 })
  @IsInt()
  @Min(5)
  @Max(200)
  heightMm: number;

  @ApiProperty({ description: 'serial (hex) of the active certificate to bind: unit certificate for official/department/branch/special, personal for position/personal' })
  @IsString()
  @Matches(/^[0-9A-Fa-f:]{2,60}$/, { message: 'certificateSerial must be hexadecimal' })
  certificateSerial: string;

  @ApiPropertyOptional({ description: 'ISO 8601; default now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'validFrom must be an ISO 8601 date-time' })
  validFrom?: string;

  @ApiPropertyOptional({ description: "ISO 8601; default and at most the certificate's notAfter" })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'validTo must be an ISO 8601 date-time' })
  validTo?: string;

  @ApiPropertyOptional({ description: 'a further official seal for a unit that has one; needs reason' })
  @IsOptional()
  @IsBoolean()
  additional?: boolean;

  @ApiPropertyOptional({ maxLength: 500 })
  @ValidateIf((o: CreateSealDto) => o.additional === true || o.reason !== undefined)
  @IsString({ message: 'reason is required with additional=true' })
  @Length(1, 500)
  reason?: string;
}

export class ListSealsDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '统一社会信用代码' })
  @IsOptional()
  @IsString()
  @Length(18, 18, { message: 'uscc must be 18 characters' })
  uscc?: string;

  @ApiPropertyOptional({ enum: SEAL_KINDS })
  @IsOptional()
  @IsIn(SEAL_KINDS as unknown as string[], { message: `kind must be one of ${SEAL_KINDS.join(', ')}` })
  kind?: SealKind;

  @ApiPropertyOptional({ enum: SEAL_STATUSES })
  @IsOptional()
  @IsIn(SEAL_STATUSES as unknown as string[], { message: `status must be one of ${SEAL_STATUSES.join(', ')}` })
  status?: SealStatus;

  @ApiPropertyOptional({ description: 'seals bound to this certificate' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-Fa-f:]{2,60}$/, { message: 'certificateSerial must be hexadecimal' })
  certificateSerial?: string;
}

export class VerifySealDto {
  @ApiProperty({ description: 'an .esl SES_Seal (v4 or v1) or an SES_Signature, DER as base64 (or send the DER itself as application/octet-stream)' })
  @IsString()
  @MaxLength(MAX_BASE64, { message: 'data must be at most 512 KiB' })
  data: string;

  @ApiPropertyOptional({ description: 'the signed document, base64: enables the data-hash check of an SES_Signature' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BASE64, { message: 'document must be at most 512 KiB' })
  document?: string;
}

export class ExtractSealImageDto {
  @ApiProperty({ description: 'JPEG or PNG scan/photo of one red impression on white paper, base64 (or send the image itself as image/jpeg or image/png)' })
  @IsString()
  @MaxLength(MAX_BASE64, { message: 'image must be at most 512 KiB' })
  image: string;

  @ApiPropertyOptional({ minimum: 72, maximum: 2400, description: 'scan resolution if the file declares none (default 300)' })
  @IsOptional()
  @IsInt()
  @Min(72)
  @Max(2400)
  dpi?: number;
}

export class ExtractSealImageQueryDto {
  @ApiPropertyOptional({ minimum: 72, maximum: 2400, description: 'for raw image uploads: the scan resolution' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(72)
  @Max(2400)
  dpi?: number;
}
