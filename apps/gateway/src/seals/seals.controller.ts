import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ProblemCode } from '@ecert/common';
import {
  SealProblemCode,
  Subjects,
  type BinaryReply,
  type ExtractedSealImageView,
  type Page,
  type SealVerificationView,
  type SealView,
} from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { createProblemValidationPipe } from '../problem/problem-validation.pipe';
import { CreateSealDto, ExtractSealImageDto, ExtractSealImageQueryDto, ListSealsDto, VerifySealDto } from './seal.dto';
import { derOrBase64, isJsonRequest, readRawBody } from './raw-body';
import { ApiFile, ApiProblems, ApiResult, ApiUpload } from '../openapi/api-docs.decorators';
import { ForwardsIdempotencyKey, IdempotencyKeyHeader, withIdempotencyKey } from '../idempotency/forwarded-idempotency-key.decorator';

/** A seal picture refused (seal-service: seal-image-errors), 400 naming `image`. */
const IMAGE_PROBLEMS = {
  400: [
    SealProblemCode.imageFormatUnsupported,
    SealProblemCode.imageCorrupt,
    SealProblemCode.imageTooSmall,
    SealProblemCode.imageEmpty,
    SealProblemCode.imageNotTransparent,
    SealProblemCode.imageTooLarge,
  ],
  413: [SealProblemCode.imageTooLarge],
} as const;

/** Raw (non-JSON) uploads: a DER seal or signature, or a scan. */
const MAX_RAW_BYTES = 512 * 1024;

/** 电子印章: make seals bound to certificates, read them, download the .esl, verify any seal or e-signature. */
@ApiTags('seals')
@Controller('api/v1/seals')
export class SealsController {
  private readonly pipe = createProblemValidationPipe();

  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @ApiOperation({
    summary: '制章 — make a GB/T 38540 v4 seal bound to an active certificate',
    description:
      'Binding: official/department/branch/special → unit certificate; position/personal → personal certificate. One official seal per unit unless additional=true with a reason. The picture is a transparent PNG (base64), cropped and re-encoded when stored. Errors: 400 (field named), 409 official_seal_exists, 422 certificate_not_found / seal_binding_invalid / certificate_not_active.',
  })
  @ApiCreatedResponse({ description: 'The seal (metadata); the DER is at GET /api/v1/seals/{id}.esl' })
  @ApiResult('SealView')
  @ApiProblems(IMAGE_PROBLEMS, {
    400: [SealProblemCode.imageSizeMismatch],
    409: [SealProblemCode.officialSealExists],
    422: [SealProblemCode.certificateNotFound, SealProblemCode.bindingInvalid, SealProblemCode.certificateNotActive],
    503: [ProblemCode.serviceUnavailable],
  })
  @RequiresOperation('seals:create')
  @ForwardsIdempotencyKey()
  create(@Body() dto: CreateSealDto, @IdempotencyKeyHeader() key?: string): Promise<SealView> {
    return this.rpc.call(Subjects.seal.create, withIdempotencyKey(dto, key), { timeoutMs: 15_000 });
  }

  @Get()
  @ApiOperation({ summary: 'List seals within your regions (paginated, newest first), by unit (uscc), kind, status or certificate' })
  @ApiResult('SealPage')
  @RequiresOperation('seals:read')
  list(@Query() q: ListSealsDto): Promise<Page<SealView>> {
    return this.rpc.call(Subjects.seal.list, q);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: '验章 — verify an .esl seal or an SES_Signature (v4 or v1)',
    description:
      'JSON {data: base64, document?: base64}, or the DER itself as application/octet-stream. The report gives version, type, name, maker, validity, every check (maker signature, chain to ecert\'s root CAs, validity…), and for seals ecert made the seal\'s and its certificate\'s current status. Undecodable data is a 400 seal_data_malformed.',
  })
  @ApiBody({ type: VerifySealDto })
  @ApiUpload({ raw: ['application/octet-stream'], description: 'JSON, or the DER itself (at most 512 KiB)' })
  @ApiOkResponse({ description: 'The verification report' })
  @ApiResult('SealVerificationView')
  @ApiProblems({ 400: [SealProblemCode.sealDataMalformed], 413: [ProblemCode.bodyTooLarge] })
  @RequiresOperation('seals:verify')
  async verify(@Req() req: Request, @Body() body: unknown): Promise<SealVerificationView> {
    const data = isJsonRequest(req)
      ? ((await this.pipe.transform(body, { type: 'body', metatype: VerifySealDto })) as VerifySealDto)
      : { data: derOrBase64(await readRawBody(req, MAX_RAW_BYTES)).toString('base64') };
    return this.rpc.call(Subjects.seal.verify, data, { timeoutMs: 15_000 });
  }

  @Post('images/extract')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Seal picture from a scan — red ink kept, paper transparent, cropped',
    description: 'JSON {image: base64 JPEG/PNG, dpi?}, or the image itself as image/jpeg or image/png (?dpi=). Nothing is stored: use the returned png as `image` of POST /api/v1/seals.',
  })
  @ApiBody({ type: ExtractSealImageDto })
  @ApiUpload({ raw: ['image/jpeg', 'image/png'], description: 'JSON, or the image itself (at most 512 KiB; ?dpi=)' })
  @ApiResult('ExtractedSealImageView')
  @ApiProblems(IMAGE_PROBLEMS)
  @RequiresOperation('seals:create')
  async extractImage(@Req() req: Request, @Body() body: unknown, @Query() q: ExtractSealImageQueryDto): Promise<ExtractedSealImageView> {
    const data = isJsonRequest(req)
      ? ((await this.pipe.transform(body, { type: 'body', metatype: ExtractSealImageDto })) as ExtractSealImageDto)
      : { image: (await readRawBody(req, MAX_RAW_BYTES)).toString('base64'), ...(q.dpi ? { dpi: q.dpi } : {}) };
    return this.rpc.call(Subjects.seal.extractImage, data, { timeoutMs: 15_000 });
  }

  @Get(':id.esl')
  @ApiOperation({ summary: 'The seal itself: DER SES_Seal (GB/T 38540 v4), application/octet-stream' })
  @ApiFile(['application/octet-stream'], 'The DER SES_Seal, as an attachment ({id}.esl)', ['Content-Disposition'])
  @ApiProblems({ 404: [SealProblemCode.sealNotFound] })
  @RequiresOperation('seals:read')
  async esl(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const r = await this.rpc.call<BinaryReply>(Subjects.seal.download, { id, what: 'esl' });
    res.setHeader('Content-Disposition', `attachment; filename="${id.replace(/[^0-9a-fA-F-]/g, '')}.esl"`);
    res.type('application/octet-stream').send(Buffer.from(r.base64, 'base64'));
  }

  @Get(':id/image.png')
  @ApiOperation({ summary: 'The stored (normalised) seal picture, PNG' })
  @ApiFile(['image/png'], 'The normalised seal picture (transparent background)')
  @ApiProblems({ 404: [SealProblemCode.sealNotFound] })
  @RequiresOperation('seals:read')
  async image(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const r = await this.rpc.call<BinaryReply>(Subjects.seal.download, { id, what: 'image' });
    res.type('image/png').send(Buffer.from(r.base64, 'base64'));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One seal by id' })
  @ApiResult('SealView')
  @ApiProblems({ 404: [SealProblemCode.sealNotFound] })
  @RequiresOperation('seals:read')
  get(@Param('id') id: string): Promise<SealView> {
    return this.rpc.call(Subjects.seal.get, { id });
  }
}
