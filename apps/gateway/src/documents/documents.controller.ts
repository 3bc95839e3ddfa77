import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  DocumentProblemCode as D,
  PlatformKeyProblemCode,
  SealProblemCode,
  Subjects,
  type CreateSealUseRequestCommand,
  type DocumentContentView,
  type DocumentVerificationReport,
  type DocumentView,
  type EmbedSignatureCommand,
  type RegisterDocumentCommand,
  type SealDocumentCommand,
  type SealDocumentReply,
  type SealedDocumentView,
  type SealUseRequestView,
  type VerifyDocumentCommand,
} from '@ecert/contracts';
import type { DocumentStore } from '@ecert/documents';
import { GATEWAY_PDF_STORE } from '../gateway.tokens';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { DocumentIntake } from './document-intake.service';
import { CreateSealUseRequestDto, DocumentUploadQueryDto, EmbedSignatureDto, SealDocumentDto, VerifyDocumentQueryDto } from './document.dto';
import { renderVerificationReportHtml } from './verification-report.html';
import { ApiFile, ApiProblems, ApiResult, ApiUpload, type ApiUploadSpec } from '../openapi/api-docs.decorators';

/** Sealing and verification read and write megabytes: longer than the default NATS deadline. */
const SLOW_MS = 60_000;

const UPLOAD_DESCRIPTION =
  'The PDF as multipart/form-data (one part named file) or as the body itself (application/pdf or application/octet-stream), at most DOCUMENT_MAX_BYTES (default 64 MiB). Judged by content; stored by SHA-256; only the hash travels on.';

const PDF_UPLOAD: ApiUploadSpec = {
  multipart: { required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'the PDF' } } },
  raw: ['application/pdf', 'application/octet-stream'],
};

/** An uploaded PDF refused (gateway content check, then the seal-service's reading of it). */
const PDF_UPLOAD_PROBLEMS = {
  413: ['document_too_large'],
  415: [D.documentTypeUnsupported],
  422: [D.pdfMalformed, D.pdfEncrypted, D.pdfUnsupported, 'document_active_content'],
} as const;

/** Where a seal goes on the PDF (seal-service placement resolver), 422 naming `placements` and the page. */
const PLACEMENT_PROBLEMS = { 422: [D.pdfBlankPage, D.pdfPageOutOfRange, D.pdfKeywordNotFound, 'placement_outside_page', 'placements_too_many'] } as const;

/** A document in the store: unknown (or not yours), or past its retention. */
const DOCUMENT_PROBLEMS = { 404: [D.documentNotFound], 410: [D.documentPurged] } as const;

/** The checks made again at every sealing (sealing-checks), and the signing around them. */
const SEALING_PROBLEMS = {
  404: [D.sealUseRequestNotFound, SealProblemCode.sealNotFound],
  409: [D.sealUseRequestUsed],
  422: [D.sealUseRequestNotApproved, D.sealUseRequestExpired, D.sealUseRequestMismatch, D.sealNotActive, SealProblemCode.certificateNotActive, D.pdfMalformed, D.pdfUnsupported],
  502: ['tsa_answer_invalid'],
  503: ['tsa_unavailable'],
} as const;

/**
 * 文件用印: PDFs uploaded, seal-use requests for them, sealing (server-side or deferred through a
 * UKey), downloads of the sealed result, and verification of any signed PDF.
 */
@ApiTags('documents')
@Controller('api/v1/documents')
export class DocumentsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly intake: DocumentIntake,
    @Inject(GATEWAY_PDF_STORE) private readonly store: DocumentStore,
  ) {}

  @Post()
  @ApiOperation({
    summary: '上传文件 — register a PDF to seal',
    description: `${UPLOAD_DESCRIPTION} Refused: not a PDF (415), encrypted (422 pdf_encrypted), broken (422 pdf_malformed), active content (422), too large (413).`,
  })
  @ApiUpload(PDF_UPLOAD)
  @ApiCreatedResponse({ description: 'The document: id, SHA-256, size, pages, retention' })
  @ApiResult('DocumentView')
  @ApiProblems(PDF_UPLOAD_PROBLEMS, { 409: [D.documentPurged, 'document_integrity'], 422: [D.documentNotFound] })
  @RequiresOperation('documents:seal')
  async upload(@Req() req: Request, @Query() q: DocumentUploadQueryDto): Promise<DocumentView> {
    const received = await this.intake.receive(req, 'seal', q.fileName);
    return this.rpc.call(Subjects.seal.documentRegister, received satisfies RegisterDocumentCommand, { timeoutMs: SLOW_MS });
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: '验证签章 — verify every signature of a PDF',
    description: `${UPLOAD_DESCRIPTION} Per signature: indication TOTAL_PASSED / TOTAL_FAILED / INDETERMINATE with a DSS sub-indication (HASH_FAILURE, SIG_CRYPTO_FAILURE, FORMAT_FAILURE, NO_CERTIFICATE_CHAIN_FOUND, REVOKED_NO_POE, OUT_OF_BOUNDS_NO_POE, TRY_LATER…) and a reason. ?format=html renders it for a person; the report is kept (GET verification-reports/{id}).`,
  })
  @ApiUpload(PDF_UPLOAD)
  @ApiResult('DocumentVerificationReport', { alternatives: { 'text/html': 'with ?format=html: the report rendered for a person (电子签章验证报告)' } })
  @ApiProblems(PDF_UPLOAD_PROBLEMS, { 422: [D.documentNotFound] })
  @RequiresOperation('documents:verify')
  async verify(@Req() req: Request, @Query() q: VerifyDocumentQueryDto, @Res({ passthrough: true }) res: Response): Promise<DocumentVerificationReport | string> {
    const received = await this.intake.receive(req, 'verify', q.fileName);
    const report = await this.rpc.call<DocumentVerificationReport>(Subjects.seal.documentVerify, received satisfies VerifyDocumentCommand, { timeoutMs: SLOW_MS });
    return q.format === 'html' ? html(res, report) : report;
  }

  @Get('verification-reports/:id.html')
  @ApiOperation({ summary: 'A verification report rendered as HTML (电子签章验证报告)' })
  @ApiFile(['text/html'], 'The report for a person', ['Content-Security-Policy', 'Cache-Control'])
  @ApiProblems({ 404: [D.verificationReportNotFound] })
  @RequiresOperation('documents:verify')
  async reportHtml(@Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    return html(res, await this.rpc.call<DocumentVerificationReport>(Subjects.seal.documentReportGet, { id }));
  }

  @Get('verification-reports/:id')
  @ApiOperation({ summary: 'A verification report as it was given (JSON), for the caller who asked for it' })
  @ApiResult('DocumentVerificationReport')
  @ApiProblems({ 404: [D.verificationReportNotFound] })
  @RequiresOperation('documents:verify')
  report(@Param('id') id: string): Promise<DocumentVerificationReport> {
    return this.rpc.call(Subjects.seal.documentReportGet, { id });
  }

  @Post('seal-sessions/:id/signature')
  @ApiOperation({
    summary: '提交签名 — finish a deferred sealing with the UKey signature',
    description:
      'The signature over the session\'s dataToSign (base64), and for an SM2 seal sesSignature over ses.dataToSign (the GB/T 38540 TBS_Sign; 422 signature_invalid, field sesSignature). Checked against the seal\'s certificate (422 signature_invalid, field signature; the session stays open), every sealing check made again; the sealed PDF is stored as a new document. 404 seal_session_not_found, 409 seal_session_used, 410 seal_session_expired.',
  })
  @ApiCreatedResponse({ description: 'The sealed document and its signature' })
  @ApiResult('SealedDocumentView')
  @ApiProblems(SEALING_PROBLEMS, DOCUMENT_PROBLEMS, {
    404: [D.sealSessionNotFound],
    409: [D.sealSessionUsed, D.sealSessionExpired],
    410: [D.sealSessionExpired],
    422: [D.signatureInvalid],
  })
  @RequiresOperation('documents:seal')
  embed(@Param('id') id: string, @Body() dto: EmbedSignatureDto): Promise<SealedDocumentView> {
    return this.rpc.call(Subjects.seal.documentEmbed, { sessionId: id, signature: dto.signature, ...(dto.sesSignature !== undefined ? { sesSignature: dto.sesSignature } : {}) } satisfies EmbedSignatureCommand, { timeoutMs: SLOW_MS });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A document: SHA-256, size, pages, who registered it, retention; for a sealed result the signature that made it' })
  @ApiResult('DocumentView')
  @ApiProblems({ 404: [D.documentNotFound] })
  @RequiresOperation('documents:read')
  get(@Param('id') id: string): Promise<DocumentView> {
    return this.rpc.call(Subjects.seal.documentGet, { id });
  }

  @Get(':id/content')
  @ApiOperation({ summary: '下载 — the PDF itself, as an attachment (never rendered inline by the platform)' })
  @ApiFile(['application/pdf'], 'The PDF (its SHA-256 as ETag)', ['ETag', 'Content-Disposition', 'Content-Security-Policy', 'Cache-Control'])
  @ApiProblems(DOCUMENT_PROBLEMS)
  @RequiresOperation('documents:read')
  async content(@Param('id') id: string, @Res() res: Response): Promise<void> {
    // The seal-service decides who may have it; the bytes come from the store, checked against their hash.
    const where = await this.rpc.call<DocumentContentView>(Subjects.seal.documentDownload, { id });
    const bytes = await this.store.get(where.sha256);
    res
      .status(200)
      .set({
        'content-type': where.contentType,
        'content-length': String(bytes.length),
        'content-disposition': `attachment; filename="${where.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'private, no-store',
        etag: `"${where.sha256}"`,
      })
      .end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  @Post(':id/seal-use-requests')
  @ApiOperation({
    summary: '用印申请 — ask to use a seal on exactly this document',
    description:
      "The caller must be one of the seal's users (its rule). The request names this document's SHA-256, the placements and the purpose; the placements are checked against the PDF now (422 pdf_blank_page / pdf_page_out_of_range / pdf_keyword_not_found naming the page). Approved at once when the seal's rule needs no approval.",
  })
  @ApiCreatedResponse({ description: 'The seal-use request (pending, or approved by the rule)' })
  @ApiResult('SealUseRequestView')
  @ApiProblems(DOCUMENT_PROBLEMS, PLACEMENT_PROBLEMS, {
    403: [D.sealUseNotPermitted],
    404: [SealProblemCode.sealNotFound],
    422: [D.sealNotActive, D.sealUseRuleMissing],
  })
  @RequiresOperation('documents:seal')
  requestUse(@Param('id') id: string, @Body() dto: CreateSealUseRequestDto): Promise<SealUseRequestView> {
    return this.rpc.call(Subjects.seal.documentUseRequestCreate, { documentId: id, ...dto } satisfies CreateSealUseRequestCommand, { timeoutMs: SLOW_MS });
  }

  @Post(':id/seal-requests')
  @ApiOperation({
    summary: '盖章 — seal the document with an approved seal-use request',
    description:
      'mode=server: the platform holds the key (an office seal): sealed in this call (201 {mode, sealed}). mode=deferred: 201 {mode, session} with dataToSign/digestToSign (base64) to sign on the UKey within 10 minutes, then POST /api/v1/documents/seal-sessions/{sessionId}/signature. Container by key: SM2 → GB/T 35275 (adbe.pkcs7.detached, SM3), ECDSA/RSA → PAdES B-B (ETSI.CAdES.detached, SHA-256). Errors: 409 deferred_signing_required (a UKey key with mode=server), 409 seal_use_request_used, 422 seal_use_request_not_approved / _expired / _mismatch, seal_not_active, certificate_not_active, pdf_blank_page.',
  })
  @ApiBody({ type: SealDocumentDto })
  @ApiResult('SealDocumentReply', { description: 'server: the sealed document; deferred: the signing session' })
  @ApiProblems(SEALING_PROBLEMS, DOCUMENT_PROBLEMS, PLACEMENT_PROBLEMS, {
    409: [D.deferredSigningRequired],
    422: [PlatformKeyProblemCode.notPlatformHeld],
    502: ['platform_signature_invalid'],
  })
  @RequiresOperation('documents:seal')
  seal(@Param('id') id: string, @Body() dto: SealDocumentDto): Promise<SealDocumentReply> {
    return this.rpc.call(Subjects.seal.documentSeal, { documentId: id, ...dto } satisfies SealDocumentCommand, { timeoutMs: SLOW_MS });
  }
}

function html(res: Response, report: DocumentVerificationReport): string {
  res.set({ 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'private, no-store' });
  return renderVerificationReportHtml(report);
}
