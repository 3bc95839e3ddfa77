import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';
import { ApiFile, ApiProblems, ApiResult, ApiUpload } from '../openapi/api-docs.decorators';
import type { DocumentStore } from '@ecert/documents';
import { GATEWAY_DOCUMENT_STORE } from '../gateway.tokens';
import { SecretAnswer } from '../idempotency/secret-answer.decorator';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  type ProductionSoPinView,
  type UnlockAuthorisationView,
  MATERIAL_KINDS,
  Subjects,
  type ApplicationIdCommand,
  type ApplicationView,
  type AttachMaterialCommand,
  type DecideApplicationCommand,
  type Page,
  type RecordCollectionCommand,
  type RecordProductionCommand,
} from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import {
  ApplicationUkeyDto,
  CompleteUnlockDto,
  CreateApplicationDto,
  DecideApplicationDto,
  ListApplicationsDto,
  MaterialUploadQueryDto,
  RecordCollectionDto,
  RecordProductionDto,
  WithdrawApplicationDto,
} from './application.dto';
import { ApplicationIdPipe } from './application-id.pipe';
import { MaterialIntake } from './material-intake.service';
import { RAW_MATERIAL_TYPES } from './material-upload.reader';
import { expectedVersionOf, versionETag } from './entity-version.header';

const NOT_FOUND = { 404: [ProblemCode.notFound] } as const;
/** A step the application's state does not allow now (libs/workflow state machine). */
const STATE = { 409: [ProblemCode.illegalTransition] } as const;
/** The material checks (gateway inspector, workflow-service), 413/415/422 naming `file` or `sha256`. */
const MATERIAL_PROBLEMS = {
  409: ['too_many_materials'],
  413: ['material_too_large'],
  415: ['material_type_unsupported', 'material_type_mismatch'],
  422: ['material_empty', 'material_malformed', 'material_active_content', 'material_encrypted', 'impression_scan_unusable', 'material_not_stored', 'material_integrity'],
} as const;

/** The CSR is optional at the edge: a type that issues no certificate (unlock…) records only the UKey; the workflow-service decides. */
type ProductionCommand = Omit<RecordProductionCommand, 'csr'> & { csr?: string };

/**
 * 受理: applications for unit certificates and seals, their materials, the tiered review
 * (county → city → province), production on the UKey and collection. The workflow-service owns
 * the applications; the gateway checks shapes and uploads, and stores material bytes itself.
 */
@ApiTags('applications')
@Controller('api/v1/applications')
export class ApplicationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly materials: MaterialIntake,
    @Inject(GATEWAY_DOCUMENT_STORE) private readonly store: DocumentStore,
  ) {}

  @Post()
  @ApiOperation({
    summary: '填写受理表 — file an application (draft) for a unit certificate, its seals or a lifecycle service',
    description: 'Starts as a draft: attach the materials its checklist names, then submit. Errors: 400 (field named), 409 (one open application per social-insurance account).',
  })
  @ApiCreatedResponse({ description: 'The application, with the checklist of required materials; ETag = version' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems({
    409: ['certificate_already_held', 'official_seal_exists', ProblemCode.certificateLimitReached],
    422: [
      'renewal_window_not_open',
      'target_not_found',
      'target_not_of_unit',
      'target_not_unit_certificate',
      'target_region_mismatch',
      'target_state',
      'target_ukey_mismatch',
      'target_name_mismatch',
      'target_name_unchanged',
      'unit_held_elsewhere',
      'warranty_expired',
    ],
  })
  @RequiresOperation('applications:submit')
  async create(@Body() dto: CreateApplicationDto, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationCreate, dto));
  }

  @Get()
  @ApiOperation({ summary: '受理列表 — applications you may see, newest first (created_at, then id), by status, type, region, tier, overdue or unit; paginated, `next` for the following page' })
  @ApiResult('ApplicationPage')
  @RequiresOperation('applications:read')
  list(@Query() q: ListApplicationsDto): Promise<Page<ApplicationView>> {
    return this.rpc.call(Subjects.workflow.applicationList, q);
  }

  @Get(':id')
  @ApiOperation({ summary: '受理详情 — one application with its materials, decisions, steps, deadline and timeline' })
  @ApiOkResponse({ description: 'The application; ETag = its version (send it as If-Match with a decision)' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND)
  @RequiresOperation('applications:read')
  async get(@Param('id', ApplicationIdPipe) id: string, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationGet, { applicationId: id } satisfies ApplicationIdCommand));
  }

  @Post(':id/materials')
  @ApiOperation({
    summary: '上传材料 — attach a material (PDF, JPEG or PNG scan)',
    description:
      `multipart/form-data with one file part named file (and kind as a text part or ?kind=), or the file itself as the body (${RAW_MATERIAL_TYPES.join(', ')}) with ?kind= (and ?fileName=). ` +
      'The type is judged by content, never by the name; a declared Content-Type must agree. Errors: 400 (field named: kind, file, id), 413 material_too_large, 415 material_type_unsupported / material_type_mismatch, 422 material_malformed / material_active_content / material_encrypted / material_empty.',
  })
  @ApiUpload({
    multipart: { required: ['file'], properties: { file: { type: 'string', format: 'binary' }, kind: { type: 'string', enum: [...MATERIAL_KINDS] } } },
    raw: [...RAW_MATERIAL_TYPES],
  })
  @ApiCreatedResponse({ description: 'The application with the material on its list' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE, MATERIAL_PROBLEMS)
  @RequiresOperation('applications:submit')
  async attachMaterial(
    @Param('id', ApplicationIdPipe) id: string,
    @Query() q: MaterialUploadQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApplicationView> {
    // Asked before a byte is read or stored: no uploads into applications one may not add to.
    await this.rpc.call(Subjects.workflow.materialCheck, { applicationId: id, ...(q.kind ? { kind: q.kind } : {}) });
    const material = await this.materials.receive(req, q);
    const cmd: AttachMaterialCommand = { applicationId: id, ...material };
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.materialAttach, cmd));
  }

  @Get(':id/materials/:sha256')
  @ApiOperation({
    summary: '查看材料 — download a material of the application (reviewers see what they decide on)',
    description: 'Sent as an attachment with its content type (never rendered inline by the platform); only materials on the application, to callers who may see it.',
  })
  @ApiFile(['application/pdf', 'image/jpeg', 'image/png'], 'The material as it was attached', ['Content-Disposition', 'Content-Security-Policy', 'Cache-Control'])
  @ApiProblems(NOT_FOUND)
  @RequiresOperation('applications:read')
  async downloadMaterial(@Param('id', ApplicationIdPipe) id: string, @Param('sha256') sha256: string, @Res() res: Response): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'sha256', 'sha256 must be 64 lowercase hex digits');
    // The workflow-service decides who sees the application; only a material on it is served.
    const app = await this.rpc.call<ApplicationView>(Subjects.workflow.applicationGet, { applicationId: id } satisfies ApplicationIdCommand);
    const material = app.materials.find((m) => m.sha256 === sha256);
    if (!material) throw ProblemError.notFound(ProblemCode.notFound, `application ${id} has no material ${sha256}`);
    const bytes = await this.store.get(sha256);
    const ext = material.mediaType === 'application/pdf' ? 'pdf' : material.mediaType === 'image/png' ? 'png' : 'jpg';
    res
      .status(200)
      .set({
        'content-type': material.mediaType,
        'content-length': String(bytes.length),
        'content-disposition': `attachment; filename="${material.kind}-${sha256.slice(0, 12)}.${ext}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'private, no-store',
      })
      .end(Buffer.from(bytes));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: '提交受理 — accept a draft into review (or resubmit one returned for supplement)' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE, { 409: ['application_already_open'], 422: ['materials_missing'] })
  @RequiresOperation('applications:submit')
  async submit(@Param('id', ApplicationIdPipe) id: string, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationSubmit, { applicationId: id } satisfies ApplicationIdCommand));
  }

  @Post(':id/decisions')
  @HttpCode(200)
  @ApiOperation({
    summary: '审核 — the current tier approves, rejects (不予受理) or returns it for supplement (退回补正)',
    description: 'reject and return need a reason. If-Match (the ETag of the view the reviewer saw) makes a decision on a newer version a 409.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the version seen, e.g. "3"' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE, { 403: ['wrong_tier', 'four_eyes'], 409: ['already_decided', 'application_closed', 'steps_pending', ProblemCode.concurrentModification] })
  @RequiresOperation('applications:review')
  async decide(
    @Param('id', ApplicationIdPipe) id: string,
    @Body() dto: DecideApplicationDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApplicationView> {
    const expectedVersion = expectedVersionOf(ifMatch);
    const cmd: DecideApplicationCommand = { applicationId: id, ...dto, ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationDecide, cmd));
  }

  @Post(':id/production')
  @HttpCode(200)
  @ApiOperation({ summary: '制作 — the CA operator generated the keys on the UKey: its serial and the CSR made there' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE)
  @RequiresOperation('applications:produce')
  async production(@Param('id', ApplicationIdPipe) id: string, @Body() dto: RecordProductionDto, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    const cmd: ProductionCommand = { applicationId: id, ...dto };
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationProduction, cmd, { timeoutMs: 15_000 }));
  }

  @Post(':id/withdrawal')
  @HttpCode(200)
  @ApiOperation({ summary: '撤回 — the filer withdraws it, or staff of its region cancel it, before approval' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE, { 409: ['steps_pending'] })
  @RequiresOperation('applications:submit')
  async withdraw(@Param('id', ApplicationIdPipe) id: string, @Body() dto: WithdrawApplicationDto, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationWithdraw, { applicationId: id, reason: dto.reason }));
  }

  @Post(':id/abort')
  @HttpCode(200)
  @ApiOperation({ summary: '终止 — an administrator gives up an application that cannot be carried out; what it issued is revoked' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE)
  @RequiresOperation('admin')
  async abort(@Param('id', ApplicationIdPipe) id: string, @Body() dto: WithdrawApplicationDto, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationAbort, { applicationId: id, reason: dto.reason }));
  }

  @Post(':id/production/so-pin')
  @HttpCode(200)
  @ApiOperation({ summary: '初始化 — the SO PIN of the fresh UKey the production station initialises for this application (once, recorded)' })
  @ApiResult('ProductionSoPinView')
  @ApiProblems(NOT_FOUND, STATE, { 409: [ProblemCode.soPinAlreadyReleased, ProblemCode.ukeyApplicationMismatch, ProblemCode.ukeyStateConflict] })
  @RequiresOperation('applications:produce')
  @SecretAnswer()
  productionSoPin(@Param('id', ApplicationIdPipe) id: string, @Body() dto: ApplicationUkeyDto): Promise<ProductionSoPinView> {
    return this.rpc.call(Subjects.workflow.productionSoPin, { applicationId: id, ukeySerial: dto.ukeySerial });
  }

  @Post(':id/unlock-authorisation')
  @HttpCode(200)
  @ApiOperation({ summary: '解锁授权 — the one-time SO PIN of an approved unlock, bound to its UKey, expiring' })
  @ApiResult('UnlockAuthorisationView')
  @ApiProblems(NOT_FOUND, STATE, { 409: [ProblemCode.unlockAlreadyAuthorised, ProblemCode.ukeyStateConflict], 422: ['ukey_not_of_application'] })
  @RequiresOperation('applications:unlock')
  @SecretAnswer()
  unlockAuthorisation(@Param('id', ApplicationIdPipe) id: string, @Body() dto: ApplicationUkeyDto): Promise<UnlockAuthorisationView> {
    return this.rpc.call(Subjects.workflow.unlockAuthorisation, { applicationId: id, ukeySerial: dto.ukeySerial });
  }

  @Post(':id/unlock-completion')
  @HttpCode(200)
  @ApiOperation({ summary: '解锁完成 — the unlock tool reset the PIN and set the next SO PIN: the released one opens nothing any more' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(STATE, { 404: [ProblemCode.notFound, ProblemCode.unlockAuthorisationNotFound], 422: ['unlock_not_proven', 'ukey_not_of_application'] })
  @RequiresOperation('applications:unlock')
  async unlockCompletion(@Param('id', ApplicationIdPipe) id: string, @Body() dto: CompleteUnlockDto, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.unlockCompletion, { applicationId: id, ukeySerial: dto.ukeySerial, signature: dto.signature }));
  }

  @Post(':id/collection')
  @HttpCode(200)
  @ApiOperation({ summary: '领取 — the handler collected the UKey at the city office' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE, { 409: ['old_ukey_not_returned', ProblemCode.ukeyApplicationMismatch], 422: ['collector_not_handler'] })
  @RequiresOperation('applications:dispatch')
  async collection(@Param('id', ApplicationIdPipe) id: string, @Body() dto: RecordCollectionDto, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    const cmd: RecordCollectionCommand = { applicationId: id, ...dto };
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationCollect, cmd));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: '重试 — carry out an application in needs_attention again, from the step that failed' })
  @ApiResult('ApplicationView', { headers: ['ETag'] })
  @ApiProblems(NOT_FOUND, STATE)
  @RequiresOperation('admin')
  async retry(@Param('id', ApplicationIdPipe) id: string, @Res({ passthrough: true }) res: Response): Promise<ApplicationView> {
    return tagged(res, await this.rpc.call<ApplicationView>(Subjects.workflow.applicationRetry, { applicationId: id } satisfies ApplicationIdCommand));
  }
}

/** The view's version as its ETag, for the next If-Match. */
function tagged(res: Response, view: ApplicationView): ApplicationView {
  if (typeof view?.version === 'number') res.setHeader('ETag', versionETag(view.version));
  return view;
}
