import { json, type RequestHandler } from 'express';
import { PROBLEM_TITLES, ProblemCode, ProblemError } from '@ecert/common';
import { jsonDeeperThan } from './json-depth';

/**
 * No request DTO nests more than a few levels; class-transformer and class-validator recurse per
 * level, so a body nested a few thousand deep (found by fuzzing) overflowed the stack: a 500.
 */
export const MAX_JSON_DEPTH = 32;

/** What body-parser (and raw-body under it) attach to the errors they pass on. */
export interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/** Nest would turn a parse failure (a SyntaxError) into a BadRequestException and lose `type`. */
export function isBodyParserError(e: unknown): e is BodyParserError {
  return !!e && typeof e === 'object' && typeof (e as BodyParserError).type === 'string' && /^(entity|encoding|charset|request|stream)\./.test((e as BodyParserError).type!);
}

/**
 * A JSON body parser's refusal as the problem the caller should see: 413 for size, 400
 * malformed_json for JSON that does not parse, 415 for a charset or Content-Encoding it cannot
 * read, each naming what is at fault. Raw messages are kept only where they are the parser's
 * own words about the caller's bytes (JSON.parse's position); 5xx ones say nothing internal.
 */
export function bodyParserProblem(e: BodyParserError): ProblemError {
  switch (e.type) {
    case 'entity.too.large':
      return new ProblemError(413, ProblemCode.bodyTooLarge, PROBLEM_TITLES.body_too_large, `The request body exceeds ${e.limit ?? 'the allowed'} bytes`, 'body');
    case 'entity.parse.failed':
      return new ProblemError(400, ProblemCode.malformedJson, PROBLEM_TITLES.malformed_json, `The request body is not valid JSON: ${String(e.message ?? '').slice(0, 200)}`, 'body');
    case 'charset.unsupported':
      return new ProblemError(415, ProblemCode.unsupportedMediaType, PROBLEM_TITLES.unsupported_media_type, 'JSON is read in a Unicode encoding only: send Content-Type application/json; charset=utf-8', 'Content-Type');
    case 'encoding.unsupported':
      return new ProblemError(415, ProblemCode.unsupportedMediaType, PROBLEM_TITLES.unsupported_media_type, 'Content-Encoding must be identity, gzip, deflate or br', 'Content-Encoding');
    case 'request.aborted':
    case 'request.size.invalid':
      return ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'The request body ended before its declared Content-Length');
    default:
      if (e.status && e.status >= 400 && e.status < 500) {
        // e.g. a gzip body that does not inflate: the parser gives no type, only zlib's words.
        return ProblemError.badRequest(ProblemCode.validationFailed, 'body', 'The request body cannot be read (a Content-Encoding that does not match the bytes?)');
      }
      return new ProblemError(500, ProblemCode.internal, PROBLEM_TITLES.internal_error, 'Unexpected error');
  }
}

/**
 * express.json with its refusals turned into problems where they happen, before Nest's error
 * layer sees them (it maps a JSON SyntaxError to a BadRequestException without type or field).
 */
export function jsonBodyParser(limit: string): RequestHandler {
  const parse = json({ limit });
  // Named: the OpenAPI test recognises the mounts of this parser as pass-throughs by name.
  return function jsonParser(req, res, next) {
    parse(req, res, (err?: unknown) => {
      if (err !== undefined) return next(isBodyParserError(err) || (err as BodyParserError)?.status ? bodyParserProblem(err as BodyParserError) : err);
      if (jsonDeeperThan(req.body, MAX_JSON_DEPTH)) {
        return next(ProblemError.badRequest(ProblemCode.validationFailed, 'body', `The request body nests more than ${MAX_JSON_DEPTH} levels`));
      }
      next();
    });
  };
}
