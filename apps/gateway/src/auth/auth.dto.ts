import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ description: 'challengeId from POST /api/v1/auth/challenge' })
  @IsString()
  @Length(16, 64)
  challengeId: string;

  @ApiProperty({ description: 'The login certificate (PEM or base64 DER), issued by ecert' })
  @IsString()
  @MaxLength(16_384)
  certificate: string;

  @ApiProperty({ description: 'base64 signature over the challenge bytes (SM2/SM3 with ID 1234567812345678, ECDSA with SHA-256/384 DER, or RSA PKCS#1 v1.5 SHA-256)' })
  @IsString()
  @MaxLength(4096)
  signature: string;
}
