import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ProblemError } from '@ecert/common';
import type { AuthenticatedRequest } from '../access/access.guard';
import { AuditTrail } from './audit-trail.service';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Appends an audit record for every state-changing call, whether it succeeded or was refused. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditTrail) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!MUTATING.has(req.method) || !req.principal) return next.handle();
    const action = `${req.method} ${req.route?.path ?? req.path}`;
    const target = (req.params?.serial ?? req.params?.id ?? null) as string | null;
    const run = async () => {
      try {
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        const serial = (result as { serial?: string; id?: string } | undefined)?.serial ?? (result as { id?: string } | undefined)?.id;
        await this.audit.append({ action, target: target ?? serial ?? null, outcome: 'success', details: { body: req.body } });
        return result;
      } catch (e) {
        const status = e instanceof ProblemError ? e.status : 500;
        await this.audit.append({ action, target, outcome: 'failure', details: { status, code: (e as ProblemError).code, body: req.body } });
        throw e;
      }
    };
    return from(run());
  }
}
