import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { ProblemCode, ProblemError, redisProblem } from '@ecert/common';
import { databaseProblem } from '@ecert/database';
import { GATEWAY_LOGGER } from '../gateway.tokens';

/** Every error leaves the gateway as application/problem+json with a stable code. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(GATEWAY_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { requestId?: string }>();
    const res = ctx.getResponse<Response>();
    const problem = this.toProblemError(exception).toProblem(req.requestId);
    problem.instance = req.originalUrl;
    if (problem.status >= 500) {
      this.logger.error({ err: (exception as Error)?.message, code: problem.code, path: req.originalUrl }, 'request failed');
    } else {
      this.logger.info({ status: problem.status, code: problem.code, field: problem.field, path: req.originalUrl }, 'request refused');
    }
    if ((problem.status === 429 || problem.status === 503) && typeof problem.retryAfter === 'number') res.setHeader('Retry-After', String(problem.retryAfter));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblemError(e: unknown): ProblemError {
    if (e instanceof ProblemError) return e;
    // body-parser errors (oversized, malformed JSON) arrive before any controller runs.
    const bodyError = e as { type?: string; status?: number; limit?: number };
    if (bodyError?.type === 'entity.too.large') {
      return new ProblemError(413, ProblemCode.bodyTooLarge, '请求体过大 (request body too large)', `The request body exceeds ${bodyError.limit} bytes`, 'body');
    }
    if (bodyError?.type === 'entity.parse.failed') {
      return ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'The request body is not valid JSON');
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const body = e.getResponse() as { message?: string | string[] } | string;
      const message = typeof body === 'string' ? body : Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? e.message);
      const code = status === 404 ? ProblemCode.notFound : status === 413 ? ProblemCode.bodyTooLarge : status >= 500 ? ProblemCode.internal : ProblemCode.validationFailed;
      // Nest's class names (BadRequestException…) mean nothing to the staff reading the title.
      const title = status === 404 ? '资源不存在 (not found)' : status === 413 ? '请求体过大 (request body too large)' : status < 500 ? '请求参数无效 (invalid request)' : '内部错误 (internal error)';
      return new ProblemError(status, code, title, message);
    }
    const store = databaseProblem(e) ?? redisProblem(e);
    if (store) return store;
    return new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', 'Unexpected error');
  }
}
