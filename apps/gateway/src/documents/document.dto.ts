import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_PLACEMENTS, SEAL_USE_REQUEST_STATUSES, SEALING_MODES, type PlacementSpec, type SealingMode, type SealUseRequestStatus } from '@ecert/contracts';
import { PageQueryDto } from '../pagination/page-query.dto';

const PLACEMENTS_DESCRIPTION =
  'Where the seal goes, at its printed size, in mm from the top-left of the page as displayed (pages from 1): ' +
  '{type: "coordinates", page, xMm, yMm} (the seal\'s centre); {type: "keyword", keyword, occurrence?: "first"|"all", offsetXMm?, offsetYMm?, pages?} (centred on the text, CJK included); ' +
  '{type: "cross-page", pages?, yMm?} (骑缝章: a slice on the right edge of each page, all or ≥ 2 listed)';

/** The three placement shapes, by the schema generated from PlacementSpec (the answers carry it too): a typed client can build one. */
const PLACEMENT_ITEMS = { $ref: '#/components/schemas/PlacementSpec' };

export class PlacementsHolder {
  @ApiProperty({ description: PLACEMENTS_DESCRIPTION, type: 'array', items: PLACEMENT_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLACEMENTS)
  @IsObject({ each: true, message: 'each placement must be an object' })
  placements: PlacementSpec[];
}

export class CreateSealUseRequestDto extends PlacementsHolder {
  @ApiProperty({ description: 'the seal to use (the caller must be one of its users by its rule)' })
  @IsUUID('all', { message: 'sealId must be a UUID' })
  sealId: string;

  @ApiProperty({ maxLength: 500, example: '2026年度社会保险缴费基数申报表', description: 'what the document is and why it is sealed: shown to the approver' })
  @IsString()
  @Length(1, 500)
  purpose: string;
}

export class DecideSealUseRequestDto {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'], { message: 'decision must be approve or reject' })
  decision: 'approve' | 'reject';

  @ApiPropertyOptional({ maxLength: 500, description: 'required with reject' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 43200, default: 1440, description: 'how long the approval may be used, minutes' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(43200)
  validForMinutes?: number;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

export class SealUsePrincipalsDto {
  @ApiPropertyOptional({ type: [String], description: 'staff member ids (GET /api/v1/staff)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(ID, { each: true, message: 'staffIds must be ids' })
  staffIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'registered client system ids (GET /api/v1/clients)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(ID, { each: true, message: 'clientIds must be ids' })
  clientIds?: string[];
}

export class PutSealUseRuleDto {
  @ApiProperty({ type: () => SealUsePrincipalsDto, description: 'who may ask to use the seal and seal with it' })
  @IsObject()
  @ValidateNested()
  @Type(() => SealUsePrincipalsDto)
  users: SealUsePrincipalsDto;

  @ApiPropertyOptional({ type: () => SealUsePrincipalsDto, description: "who decides requests; none = the unit's administrators (seals:manage-use in the seal's region)" })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SealUsePrincipalsDto)
  approvers?: SealUsePrincipalsDto;

  @ApiProperty({ description: 'false: a request is approved when made (still recorded, single-use, bound to the document)' })
  @IsBoolean()
  approvalRequired: boolean;

  @ApiPropertyOptional({ minimum: 0, description: 'the version last read (0: none yet); a rule changed since is a 409' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class SealDocumentDto {
  @ApiProperty()
  @IsUUID('all', { message: 'sealId must be a UUID' })
  sealId: string;

  @ApiProperty({ description: 'the approved seal-use request for exactly this document' })
  @IsUUID('all', { message: 'sealUseRequestId must be a UUID' })
  sealUseRequestId: string;

  @ApiProperty({ enum: SEALING_MODES, description: 'server: the platform holds the key (an office seal); deferred: sign the returned data on the UKey' })
  @IsIn(SEALING_MODES as unknown as string[], { message: `mode must be one of ${SEALING_MODES.join(', ')}` })
  mode: SealingMode;

  @ApiPropertyOptional({ description: `${PLACEMENTS_DESCRIPTION}. Optional: must be the request's if given`, type: 'array', items: PLACEMENT_ITEMS })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLACEMENTS)
  @IsObject({ each: true, message: 'each placement must be an object' })
  placements?: PlacementSpec[];

  @ApiPropertyOptional({ maxLength: 200, description: "/Reason of the signature (default: the request's purpose)" })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;

  @ApiPropertyOptional({ maxLength: 200, description: '/Location of the signature' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  location?: string;
}

export class EmbedSignatureDto {
  @ApiProperty({ description: 'base64 of the signature over dataToSign: DER or r‖s (SM2, ECDSA), the PKCS#1 value (RSA)' })
  @IsString()
  @MaxLength(4096)
  signature: string;

  @ApiPropertyOptional({ description: "SM2 seals: base64 of the signature over the session's ses.dataToSign (the GB/T 38540 TBS_Sign), DER or r‖s; required when the session has ses" })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  sesSignature?: string;
}

export class ListSealUseRequestsDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'sealId must be a UUID' })
  sealId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'documentId must be a UUID' })
  documentId?: string;

  @ApiPropertyOptional({ enum: SEAL_USE_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(SEAL_USE_REQUEST_STATUSES as unknown as string[], { message: `status must be one of ${SEAL_USE_REQUEST_STATUSES.join(', ')}` })
  status?: SealUseRequestStatus;
}

export class DocumentUploadQueryDto {
  @ApiPropertyOptional({ maxLength: 255, description: 'for a raw upload: the file name (multipart sends its own)' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  fileName?: string;
}

export class VerifyDocumentQueryDto extends DocumentUploadQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'html'], default: 'json', description: 'html: the report rendered for a person' })
  @IsOptional()
  @IsIn(['json', 'html'], { message: 'format must be json or html' })
  format?: 'json' | 'html';
}
