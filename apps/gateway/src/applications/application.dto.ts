import { CursorPageQueryDto } from '../pagination/cursor-page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  APPLICATION_CHANNELS,
  APPLICATION_STATUSES,
  CHANGE_KINDS,
  DECISIONS,
  MATERIAL_KINDS,
  REVIEW_TIERS,
  REVOCATION_CAUSES,
  SEAL_KIND_PROFILE,
  SEAL_KINDS,
  SEAL_PURPOSES,
  SERVICE_TYPES,
  type ApplicantHandler,
  type ApplicantUnit,
  type ApplicationChannel,
  type ApplicationStatus,
  type ChangeKind,
  type CreateApplicationCommand,
  type Decision,
  type ListApplicationsQuery,
  type MaterialKind,
  type RequestedSeal,
  type ReviewTier,
  type RevocationCause,
  type SealKind,
  type SealPurpose,
  type ServiceType,
} from '@ecert/contracts';
import { IsNationalCode } from './national-code.decorator';
import { UKEY_SERIAL_PATTERN } from '@ecert/pki';

const oneOf = (field: string, values: readonly string[]) => ({ message: `${field} must be one of ${values.join(', ')}` });
const eachOneOf = (field: string, values: readonly string[]) => ({ each: true, message: `every ${field} entry must be one of ${values.join(', ')}` });

/** Applications make the unit's certificate: only seals bound to a unit certificate are requested here. */
const UNIT_SEAL_KINDS = SEAL_KINDS.filter((k) => SEAL_KIND_PROFILE[k] === 'unit');
const SERIAL = /^[0-9A-Fa-f]{1,64}$/;
/** Not blank: a reason of spaces tells the applicant nothing (第十条). */
const NOT_BLANK = /\S/;

/** 'true'/'false' of a query string as a boolean; anything else is left for @IsBoolean to refuse. */
const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ApplicantUnitDto implements ApplicantUnit {
  @ApiProperty({ example: '南宁市某某科技有限公司', maxLength: 128 })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ example: '南宁市青秀区民族大道100号', maxLength: 256 })
  @IsString()
  @Length(1, 256)
  address: string;

  @ApiProperty({ example: '530000', description: '邮政编码, 6 digits' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'postalCode must be 6 digits' })
  postalCode: string;

  @ApiProperty({ description: '统一社会信用代码 (GB 32100, check character verified)', example: '91450100MA5KXXXX0X' })
  @IsNationalCode('uscc')
  uscc: string;

  @ApiProperty({ description: 'GB/T 2260 region code of the unit (decides the reviewing offices)', example: '450103' })
  @IsNationalCode('regionCode')
  regionCode: string;

  @ApiProperty({ description: '社保账户: one application and one certificate per account', example: '4501000001' })
  @IsString()
  @Matches(/^[0-9A-Za-z-]{1,32}$/, { message: 'accountNo must be 1-32 letters, digits or hyphens' })
  accountNo: string;
}

export class ApplicantHandlerDto implements ApplicantHandler {
  @ApiProperty({ example: '张三', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ description: '经办人居民身份证号码 (GB 11643); views show it masked' })
  @IsNationalCode('residentId')
  idNumber: string;

  @ApiProperty({ description: 'mainland mobile number', example: '13800138000' })
  @IsNationalCode('mobile')
  phone: string;

  @ApiProperty({ example: 'zhangsan@example.cn' })
  @IsNationalCode('email')
  email: string;
}

export class RequestedSealDto implements RequestedSeal {
  @ApiProperty({ enum: UNIT_SEAL_KINDS, description: 'official 法定名称章, department 内设机构章, branch 分支机构章, special 专用章 (with purpose)' })
  @IsIn(UNIT_SEAL_KINDS, oneOf('kind', UNIT_SEAL_KINDS))
  kind: SealKind;

  @ApiPropertyOptional({ enum: SEAL_PURPOSES, description: 'required for kind=special, refused otherwise' })
  @ValidateIf((o: RequestedSealDto) => o.kind === 'special' || o.purpose !== undefined)
  @IsIn(SEAL_PURPOSES, { message: `purpose must be one of ${SEAL_PURPOSES.join(', ')} (required for kind=special)` })
  purpose?: SealPurpose;

  @ApiProperty({ example: '南宁市某某科技有限公司', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiPropertyOptional({ minimum: 10, maximum: 60, example: 42, description: 'printed width, mm' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(10)
  @Max(60)
  widthMm?: number;

  @ApiPropertyOptional({ minimum: 10, maximum: 60, example: 42 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(10)
  @Max(60)
  heightMm?: number;
}

/**
 * 受理表 as JSON. Shapes and national codes are checked here; what depends on the type (a target
 * certificate, a justification, a revocation cause…) is the workflow-service's to check.
 */
export class CreateApplicationDto implements CreateApplicationCommand {
  @ApiProperty({ enum: SERVICE_TYPES, description: 'apply 新办, additional 增发, renew 更新, change 变更, report_loss 挂失, restore 挂失恢复, reissue 补办, revoke 注销, unlock 解锁, medium_replacement 介质更换' })
  @IsIn(SERVICE_TYPES, oneOf('type', SERVICE_TYPES))
  type: ServiceType;

  @ApiPropertyOptional({ enum: APPLICATION_CHANNELS, default: 'on_site' })
  @IsOptional()
  @IsIn(APPLICATION_CHANNELS, oneOf('channel', APPLICATION_CHANNELS))
  channel?: ApplicationChannel;

  @ApiProperty({ type: ApplicantUnitDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantUnitDto)
  unit: ApplicantUnitDto;

  @ApiProperty({ type: ApplicantHandlerDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantHandlerDto)
  handler: ApplicantHandlerDto;

  @ApiPropertyOptional({ type: [RequestedSealDto], maxItems: 8, description: 'seals to make with the certificate (one official seal at most)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @IsObject({ each: true, message: 'every seals entry must be an object' })
  @ValidateNested({ each: true })
  @Type(() => RequestedSealDto)
  seals?: RequestedSealDto[];

  @ApiPropertyOptional({ description: 'serial (hex) of the certificate a lifecycle type is about' })
  @IsOptional()
  @IsString()
  @Matches(SERIAL, { message: 'targetSerial must be the certificate serial in hex' })
  targetSerial?: string;

  @ApiPropertyOptional({ description: 'the UKey it is on, where known' })
  @IsOptional()
  @IsString()
  @Matches(UKEY_SERIAL_PATTERN, { message: 'targetUkeySerial must be 4-64 letters, digits or hyphens' })
  targetUkeySerial?: string;

  @ApiPropertyOptional({ minLength: 10, maxLength: 1000, description: 'why a further certificate is needed (additional, 第九条)' })
  @IsOptional()
  @IsString()
  @Length(10, 1000)
  justification?: string;

  @ApiPropertyOptional({ enum: CHANGE_KINDS, isArray: true, description: 'what changed (change)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CHANGE_KINDS.length)
  @IsIn(CHANGE_KINDS, eachOneOf('changes', CHANGE_KINDS))
  changes?: ChangeKind[];

  @ApiPropertyOptional({ enum: REVOCATION_CAUSES, description: 'cause of a revocation (第十九条)' })
  @IsOptional()
  @IsIn(REVOCATION_CAUSES, oneOf('revocationCause', REVOCATION_CAUSES))
  revocationCause?: RevocationCause;

  @ApiPropertyOptional({ maxLength: 2000, description: "the handler's account of the loss or the damage" })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  statement?: string;

  @ApiPropertyOptional({ description: 'medium replacement: the damage was not caused by the user (第十八条)' })
  @IsOptional()
  @IsBoolean()
  damageNotUserCaused?: boolean;
}

export class ListApplicationsDto extends CursorPageQueryDto implements ListApplicationsQuery {
  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
  @IsOptional()
  @IsIn(APPLICATION_STATUSES, oneOf('status', APPLICATION_STATUSES))
  status?: ApplicationStatus;

  @ApiPropertyOptional({ enum: SERVICE_TYPES })
  @IsOptional()
  @IsIn(SERVICE_TYPES, oneOf('type', SERVICE_TYPES))
  type?: ServiceType;

  @ApiPropertyOptional({ description: 'GB/T 2260 code: the unit is in this region' })
  @IsOptional()
  @IsNationalCode('regionCode')
  regionCode?: string;

  @ApiPropertyOptional({ enum: REVIEW_TIERS, description: 'waiting for the decision of this tier' })
  @IsOptional()
  @IsIn(REVIEW_TIERS, oneOf('tier', REVIEW_TIERS))
  tier?: ReviewTier;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'past its due time (working days, Asia/Shanghai)' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: "overdue must be 'true' or 'false'" })
  overdue?: boolean;

  @ApiPropertyOptional({ description: '统一社会信用代码 of the unit' })
  @IsOptional()
  @IsNationalCode('uscc')
  uscc?: string;
}

export class DecideApplicationDto {
  @ApiProperty({ enum: DECISIONS, description: 'approve 通过 (on to the next tier, or to production), reject 不予受理, return 退回补正' })
  @IsIn(DECISIONS, oneOf('decision', DECISIONS))
  decision: Decision;

  @ApiPropertyOptional({ maxLength: 1000, description: 'required to reject or return: the applicant is told it (第十条)' })
  @ValidateIf((o: DecideApplicationDto) => o.decision === 'reject' || o.decision === 'return' || o.reason !== undefined)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  @Length(1, 1000)
  // Last, so it is checked first (class-validator runs a property's constraints bottom-up) and names what is missing.
  @IsString({ message: 'reason is required to reject or return an application' })
  reason?: string;

  @ApiPropertyOptional({ enum: MATERIAL_KINDS, isArray: true, description: 'for return: the materials to supplement' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MATERIAL_KINDS.length)
  @IsIn(MATERIAL_KINDS, eachOneOf('missing', MATERIAL_KINDS))
  missing?: MaterialKind[];

  @ApiPropertyOptional({ description: 'additional: the reviewer accepts the justification (第九条)' })
  @IsOptional()
  @IsBoolean()
  justificationAccepted?: boolean;

  @ApiPropertyOptional({ description: 'medium replacement, city tier: the damage was not caused by the user (第十八条)' })
  @IsOptional()
  @IsBoolean()
  nonHumanCause?: boolean;
}

export class RecordProductionDto {
  @ApiProperty({ description: 'serial of the UKey the keys were generated on', example: 'GX-UK-000123' })
  @IsString()
  @Matches(UKEY_SERIAL_PATTERN, { message: 'ukeySerial must be 4-64 letters, digits or hyphens' })
  ukeySerial: string;

  @ApiPropertyOptional({ description: 'PKCS#10 made on the UKey (PEM or base64 DER), where the type issues a certificate' })
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  csr?: string;
}

export class WithdrawApplicationDto {
  @ApiProperty({ description: 'why it is withdrawn or cancelled (the applicant is told)', example: '单位已另行申请', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason: string;
}

/** The production station's or the unlock tool's UKey. */
export class ApplicationUkeyDto {
  @ApiProperty({ description: 'serial of the UKey in hand', example: 'GX-UK-000123' })
  @IsString()
  @Matches(UKEY_SERIAL_PATTERN, { message: 'ukeySerial must be 4-64 letters, digits or hyphens' })
  ukeySerial: string;
}

export class CompleteUnlockDto extends ApplicationUkeyDto {
  @ApiProperty({ description: "the authorisation's completionChallenge signed with the UKey's key after the reset (base64 DER signature)" })
  @IsString()
  @Matches(/^[A-Za-z0-9+/=]{16,2048}$/, { message: 'signature must be base64' })
  signature: string;
}

export class CollectorDto {
  @ApiProperty({ example: '张三', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ description: '领取人居民身份证号码 (GB 11643)' })
  @IsNationalCode('residentId')
  idNumber: string;
}

export class RecordCollectionDto {
  @ApiProperty({ type: CollectorDto, description: 'who collected the UKey at the city office (第十二条)' })
  @IsObject()
  @ValidateNested()
  @Type(() => CollectorDto)
  collector: CollectorDto;
}

/** `?kind=` (and, for raw uploads, `?fileName=`) of a material upload; multipart may send kind as a form field instead. */
export class MaterialUploadQueryDto {
  @ApiPropertyOptional({ enum: MATERIAL_KINDS, description: 'which material this is (or a multipart text part `kind`)' })
  @IsOptional()
  @IsIn(MATERIAL_KINDS, oneOf('kind', MATERIAL_KINDS))
  kind?: MaterialKind;

  @ApiPropertyOptional({ maxLength: 255, description: "raw uploads: the file's original name (multipart sends the part's filename)" })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  fileName?: string;
}
