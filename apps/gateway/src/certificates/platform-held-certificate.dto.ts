import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { PLATFORM_KEY_ALGORITHMS, type PlatformKeyAlgorithm } from '@ecert/contracts';
import { UnitDto } from './certificate.dto';

/** POST /api/v1/certificates/platform-held: an office's own certificate, its key generated in the platform's key store. */
export class PlatformHeldCertificateDto {
  @ApiProperty({ type: UnitDto, description: 'the HRSS office (its unit, USCC, region and account) the key and certificate are for' })
  @IsObject()
  @ValidateNested()
  @Type(() => UnitDto)
  unit: UnitDto;

  @ApiProperty({ enum: PLATFORM_KEY_ALGORITHMS, description: 'generated in the key store: EC-P256 and RSA-2048 on the PKCS#11 token when configured, SM2 in the encrypted soft store' })
  @IsIn(PLATFORM_KEY_ALGORITHMS as unknown as string[])
  keyAlgorithm: PlatformKeyAlgorithm;

  @ApiPropertyOptional({ minimum: 1, maximum: 1095, default: 365 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1095)
  validityDays?: number;
}
