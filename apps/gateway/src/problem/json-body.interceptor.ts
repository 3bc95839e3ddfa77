import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { PROBLEM_TITLES, ProblemCode, ProblemError } from '@ecert/common';

/** RouteParamtypes.BODY (Nest's enum is internal). */
const BODY_PARAM = 3;
const NOT_A_DTO = new Set<unknown>([undefined, Object, String, Number, Boolean, Array, Buffer]);

/** Whether the handler's @Body() is a DTO class, i.e. the route takes a JSON object and nothing else. */
const takesDto = new WeakMap<object, boolean>();

function handlerTakesJsonDto(controller: { prototype: object }, handler: { name: string }): boolean {
  const known = takesDto.get(handler);
  if (known !== undefined) return known;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, { index: number }>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler.name) ?? []) as unknown[];
  const result = Object.entries(args).some(([key, arg]) => Number(key.split(':')[0]) === BODY_PARAM && !NOT_A_DTO.has(types[arg.index]));
  takesDto.set(handler, result);
  return result;
}

/** A request that has a body (RFC 9112 §6.3: a Content-Length above 0 or a Transfer-Encoding). */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * A route whose body is a DTO takes JSON only: a body of any other Content-Type (which the JSON
 * parser left unread) is a 415 naming Content-Type, not a list of missing fields. Routes that
 * take raw bytes too (uploads, DER seals) declare their body otherwise and are not concerned.
 * Runs after the guards (who the caller is comes first) and before anything is audited or done.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request>();
      if (req.body === undefined && hasBody(req) && handlerTakesJsonDto(context.getClass(), context.getHandler())) {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().slice(0, 100);
        throw new ProblemError(415, ProblemCode.unsupportedMediaType, PROBLEM_TITLES.unsupported_media_type, `This route takes a JSON body: send Content-Type application/json${type ? `, not ${type}` : ''}`, 'Content-Type');
      }
    }
    return next.handle();
  }
}
