import { HttpException, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { displayTitle, faultDetail, PROBLEM_TITLES, ProblemCode, ProblemError, problemTitle, redisProblem, type ProblemDetails } from '@ecert/common';
import { databaseProblem } from '@ecert/database';
import { bodyParserProblem, isBodyParserError } from './body-parser-problem';
import { allowedMethods, pathForProblem } from './route-methods';

/**
 * The code of an HttpException Nest (a guard, a pipe, the router) throws, by status: never its
 * class name. Anything not listed is a refusal of the request as sent (4xx) or a fault (5xx).
 */
const HTTP_STATUS_CODES: Record<number, string> = {
  400: ProblemCode.validationFailed,
  401: ProblemCode.unauthorized,
  403: ProblemCode.forbidden,
  404: ProblemCode.notFound,
  405: ProblemCode.methodNotAllowed,
  413: ProblemCode.bodyTooLarge,
  415: ProblemCode.unsupportedMediaType,
  422: ProblemCode.validationFailed,
  429: ProblemCode.rateLimited,
  502: ProblemCode.serviceUnavailable,
  503: ProblemCode.serviceUnavailable,
  504: ProblemCode.serviceTimeout,
};

export type GatewayRequest = Request & { requestId?: string };

/**
 * Whatever was thrown, as the ProblemError the caller is to see: ecert's own as they are (thrown
 * here or carried back over NATS), Nest's and Express's by what they mean (unknown route, wrong
 * method, body parser refusals, HttpExceptions of guards and pipes), database and Redis failures
 * as their 503s, anything else a 500 that tells nothing internal.
 */
export function problemErrorOf(e: unknown, req: GatewayRequest, res: Response): ProblemError {
  if (e instanceof ProblemError) return e;
  // Body parsers other than jsonBodyParser arrive raw, or wrapped by Nest with the original as cause.
  const cause = (e as { cause?: unknown })?.cause;
  if (isBodyParserError(e)) return bodyParserProblem(e);
  if (e instanceof HttpException && isBodyParserError(cause)) return bodyParserProblem(cause);
  if (e instanceof HttpException) {
    // Nest's own "Cannot GET /x" when no route matched (inside a handler Express has set req.route).
    if (e instanceof NotFoundException && !req.route) return noRoute(req, res);
    if (cause instanceof URIError) return ProblemError.badRequest(ProblemCode.validationFailed, 'path', 'The path has a malformed percent escape');
    const status = e.getStatus();
    const code = HTTP_STATUS_CODES[status] ?? (status >= 500 ? ProblemCode.internal : ProblemCode.validationFailed);
    // A 5xx HttpException's text may be anyone's: it is logged, not sent.
    const detail = status >= 500 ? 'Unexpected error' : httpExceptionMessage(e);
    return new ProblemError(status, code, problemTitle(code, status), detail);
  }
  const store = databaseProblem(e) ?? redisProblem(e);
  if (store) return store;
  return new ProblemError(500, ProblemCode.internal, PROBLEM_TITLES.internal_error, 'Unexpected error');
}

/** Extensions a fault keeps (anything else a service added stays in the log with its detail). */
const FAULT_EXTENSIONS = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId', 'retryAfter', 'attempt']);

/**
 * Writes the problem (with the request's id and URL, Retry-After where it has one); returns what
 * was sent. A fault (5xx) is sent with its code's fixed text (FAULT_DETAILS), whoever threw it:
 * a thrower's detail may carry a driver's message, a subject or stored state. The caller logs the
 * original with the request id (see ProblemFilter).
 */
export function sendProblem(req: GatewayRequest, res: Response, error: ProblemError): ProblemDetails {
  const problem = error.toProblem(req.requestId);
  if (problem.status >= 500) {
    problem.detail = faultDetail(problem.code, problem.status, error.detail);
    for (const k of Object.keys(problem)) if (!FAULT_EXTENSIONS.has(k)) delete problem[k];
  }
  // One form of title everywhere, whoever threw (a service over NATS too): a bare English or a
  // generic one ("状态冲突 (conflict)") gives way to the code's own.
  problem.title = displayTitle(problem.code, problem.status, problem.title);
  problem.instance = req.originalUrl;
  if (res.headersSent) {
    // An answer already under way cannot become a problem: cut it, so the client sees it broken.
    res.destroy();
    return problem;
  }
  if ((problem.status === 429 || problem.status === 503) && typeof problem.retryAfter === 'number') res.setHeader('Retry-After', String(problem.retryAfter));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  return problem;
}

/** 405 with Allow when the path has routes for other methods, else 404 route_not_found. */
function noRoute(req: GatewayRequest, res: Response): ProblemError {
  const allowed = allowedMethods(req);
  if (allowed.length) {
    res.setHeader('Allow', allowed.join(', '));
    return new ProblemError(405, ProblemCode.methodNotAllowed, PROBLEM_TITLES.method_not_allowed, `${req.method} is not a method of ${pathForProblem(req.path)}: use ${allowed.join(', ')}`);
  }
  return new ProblemError(404, ProblemCode.routeNotFound, PROBLEM_TITLES.route_not_found, `No route ${req.method} ${pathForProblem(req.path)} (see /api/docs)`);
}

function httpExceptionMessage(e: HttpException): string {
  const body = e.getResponse() as { message?: unknown } | string;
  if (typeof body === 'string') return body;
  const m = body?.message;
  return Array.isArray(m) ? m.map(String).join('; ') : typeof m === 'string' ? m : e.message;
}
