import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemCode, ProblemError, requestContext, type Operation } from '@ecert/common';
import { AccessService } from './access.service';
import { RateLimiter } from './rate-limiter.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { AnonymousRefusals } from '../audit/anonymous-refusals.service';
import { PUBLIC_ROUTE, REQUIRED_OPERATION, type Principal } from './principal';
import { clientAddressOf } from '../request-context/client-address';

export type AuthenticatedRequest = Request & { principal?: Principal; requestId?: string };

/**
 * Every /api/v1 route needs a principal unless marked @Public(); @RequiresOperation names what
 * the principal must have been granted. Refusals are audited as security events. Region scope is
 * passed on to the services, which enforce it against the data they hold.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditTrail,
    private readonly anonymous: AnonymousRefusals,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const route = `${req.method} ${req.route?.path ?? req.path}`;
    let principal: Principal;
    try {
      principal = await this.access.resolve(req);
    } catch (e) {
      // Only a refusal is a security event; an infrastructure failure is logged as an error elsewhere.
      // Anonymous, so aggregated per address and minute: no caller can write rows at will.
      if (e instanceof ProblemError && e.status === 401) {
        await this.anonymous.record({ action: 'access.refused', address: clientAddressOf(req), target: route, reason: e.message, status: 401 });
      }
      throw e;
    }
    const ctx = requestContext.getStore();
    if (ctx) {
      ctx.clientId = principal.kind === 'client' ? principal.clientId : undefined;
      ctx.actor = principal.kind === 'staff' ? principal.staffId : undefined;
      ctx.regions = principal.regions;
      ctx.operations = principal.operations;
      ctx.role = principal.kind === 'staff' ? principal.role : undefined;
    }
    req.principal = principal;
    const op = this.reflector.getAllAndOverride<Operation | undefined>(REQUIRED_OPERATION, targets);
    if (op && !principal.operations.includes(op)) {
      // A refusal changes nothing, so an audit failure does not turn it into a 5xx (it is logged).
      await this.audit.append({ action: 'access.refused', target: route, outcome: 'refused', details: { status: 403, operation: op } }).catch(() => undefined);
      throw new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', `This ${principal.kind} is not granted '${op}'`);
    }
    const wait = await this.limiter.take(principal.kind === 'client' ? `c:${principal.clientId}` : `s:${principal.staffId}`, principal.rateLimitPerSecond);
    if (wait > 0) {
      throw new ProblemError(429, ProblemCode.rateLimited, '请求过于频繁 (rate limit exceeded)', `More than ${principal.rateLimitPerSecond} requests per second`, undefined, { retryAfter: wait });
    }
    return true;
  }
}
