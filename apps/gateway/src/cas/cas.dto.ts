import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CA_REVOCATION_REASONS } from '@ecert/contracts';

export class RevokeCaDto {
  @ApiProperty({ enum: CA_REVOCATION_REASONS, description: 'RFC 5280 CRLReason; cACompromise when the CA key is out' })
  @IsIn(CA_REVOCATION_REASONS as unknown as string[])
  reason: (typeof CA_REVOCATION_REASONS)[number];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  comment?: string;
}
