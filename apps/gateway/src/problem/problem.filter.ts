import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ProblemCode } from '@ecert/common';
import { GATEWAY_LOGGER } from '../gateway.tokens';
import { problemErrorOf, sendProblem, type GatewayRequest } from './problem-response';

/**
 * Every error that reaches Nest leaves the gateway as application/problem+json with a stable
 * code, a bilingual title, the field at fault where there is one and the request id (see
 * problemErrorOf for how framework errors are read). The queue board and the OCSP responder,
 * which run outside Nest's routing, answer their HTTP-level errors the same way.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(GATEWAY_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<GatewayRequest>();
    const res = ctx.getResponse<Response>();
    const error = problemErrorOf(exception, req, res);
    const problem = sendProblem(req, res, error);
    if (problem.status >= 500) {
      // What the caller was not told (the thrower's detail, the stack of an unexpected error) is
      // for the log, under the request id the caller got.
      const stack = problem.code === ProblemCode.internal ? (exception as Error)?.stack : undefined;
      this.logger.error({ requestId: req.requestId, err: (exception as Error)?.message, detail: error.detail, stack, code: problem.code, path: req.originalUrl }, 'request failed');
    } else {
      this.logger.info({ status: problem.status, code: problem.code, field: problem.field, path: req.originalUrl }, 'request refused');
    }
  }
}
