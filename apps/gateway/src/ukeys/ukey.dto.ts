import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { UKEY_ACTIONS, UKEY_STATES, type CreateDispatchBatchCommand, type ImportUkeyItem, type UkeyAction, type UkeyState } from '@ecert/contracts';
import { PageQueryDto } from '../pagination/page-query.dto';
import { UKEY_SERIAL_PATTERN } from '@ecert/pki';

const REGION = /^\d{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const oneOf = (field: string, values: readonly string[]) => ({ message: `${field} must be one of ${values.join(', ')}` });

/** Mirrors the cert-service's limits (it checks everything again). */
const MAX_PER_REQUEST = 500;

export class ImportUkeyItemDto implements ImportUkeyItem {
  @ApiProperty({ description: "the token's serial (CK_TOKEN_INFO serialNumber or the vendor's label)", example: 'GX-UK-000123' })
  @IsString()
  @Matches(UKEY_SERIAL_PATTERN, { message: 'serial must be 4-64 letters, digits or hyphens' })
  serial: string;

  @ApiProperty({ example: '飞天诚信', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  vendor: string;

  @ApiProperty({ example: 'ePass3003', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  model: string;
}

export class ImportUkeysDto {
  @ApiProperty({ description: "the delivery batch (the vendor's lot)", example: 'FT-2026-07' })
  @IsString()
  @Matches(/^[0-9A-Za-z._/-]{1,64}$/, { message: 'batch must be 1-64 letters, digits or . _ / -' })
  batch: string;

  @ApiProperty({ description: 'delivery date, YYYY-MM-DD (not in the future)', example: '2026-07-01' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'deliveredOn must be a date (YYYY-MM-DD)' })
  deliveredOn: string;

  @ApiPropertyOptional({ description: "the region whose stock it is (normally the province); default: the caller's one region, or national stock for a national caller", example: '450000' })
  @IsOptional()
  @IsString()
  @Matches(REGION, { message: 'officeRegionCode must be 6 digits' })
  officeRegionCode?: string;

  @ApiProperty({ type: [ImportUkeyItemDto], description: `1-${MAX_PER_REQUEST} UKeys, imported all or none (a serial listed twice or already imported: 409 naming items[i].serial)` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PER_REQUEST)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ImportUkeyItemDto)
  items: ImportUkeyItemDto[];
}

export class ListUkeysDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: UKEY_STATES })
  @IsOptional()
  @IsIn(UKEY_STATES, oneOf('state', UKEY_STATES))
  state?: UkeyState;

  @ApiPropertyOptional({ description: 'office region: the UKeys held at offices within it', example: '450100' })
  @IsOptional()
  @IsString()
  @Matches(REGION, { message: 'regionCode must be 6 digits' })
  regionCode?: string;

  @ApiPropertyOptional({ description: 'delivery batch' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  batch?: string;

  @ApiPropertyOptional({ description: 'the unit whose certificates they hold' })
  @IsOptional()
  @IsString()
  @Length(18, 18, { message: 'uscc must be 18 characters' })
  uscc?: string;
}

export class UkeyTransitionDto {
  @ApiProperty({
    enum: UKEY_ACTIONS,
    description:
      'assign (needs applicationId), unassign, activate, report_lost (freezes every certificate on it), found (unfreezes them), declare_perm_lost (revokes them: keyCompromise), report_damaged (needs nonHumanCause), return, terminate (revokes those still live). initialise, dispatch, receive and collect have their own commands.',
  })
  @IsIn(UKEY_ACTIONS, oneOf('action', UKEY_ACTIONS))
  action: UkeyAction;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({ description: 'assign: the application the UKey is reserved for; otherwise the application behind the step (recorded)' })
  @IsOptional()
  @IsString()
  @Matches(UUID, { message: 'applicationId must be an application id (a UUID)' })
  applicationId?: string;

  @ApiPropertyOptional({ description: "report_damaged: the reviewer found the damage was not the user's doing (第十八条)" })
  @IsOptional()
  @IsBoolean()
  nonHumanCause?: boolean;
}

export class CreateDispatchBatchDto implements CreateDispatchBatchCommand {
  @ApiProperty({ description: 'the city office (a prefecture-level region code within your scope)', example: '450100' })
  @IsString()
  @Matches(REGION, { message: 'officeRegionCode must be 6 digits' })
  officeRegionCode: string;

  @ApiProperty({ type: [String], description: `1-${MAX_PER_REQUEST} initialised UKeys, sent all or none`, example: ['GX-UK-000123'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PER_REQUEST)
  @IsString({ each: true })
  @Matches(UKEY_SERIAL_PATTERN, { each: true, message: 'every serial must be 4-64 letters, digits or hyphens' })
  serials: string[];
}
