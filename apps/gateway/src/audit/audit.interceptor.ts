import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Logger } from 'pino';
import { ProblemError } from '@ecert/common';
import type { AuthenticatedRequest } from '../access/access.guard';
import { GATEWAY_LOGGER } from '../gateway.tokens';
import { AuditTrail } from './audit-trail.service';
import { auditUnavailableAfter, auditUnavailableBefore } from './audit-unavailable.problem';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Audits every state-changing call, write-ahead: an `attempted` record (with the masked body) is
 * committed before the handler runs, so nothing is changed that the trail does not know was
 * tried; if it cannot be written the call is a 503 and nothing happens. After the handler its
 * outcome is recorded (`success`/`failure`, pointing at the attempt). A success whose outcome
 * record cannot be written is answered with a 500 `audit_unavailable` problem, never a 2xx: the
 * change may stand (another service made it), the attempt record says so, and an
 * Idempotency-Key retry returns the original answer once the trail is back.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditTrail,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!MUTATING.has(req.method) || !req.principal) return next.handle();
    const action = `${req.method} ${req.route?.path ?? req.path}`;
    const target = (req.params?.serial ?? req.params?.id ?? null) as string | null;
    const run = async () => {
      let attempt: number;
      try {
        ({ seq: attempt } = await this.audit.append({ action, target, outcome: 'attempted', details: { body: req.body } }));
      } catch (e) {
        throw auditUnavailableBefore(e);
      }
      let result: unknown;
      try {
        result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      } catch (e) {
        const status = e instanceof ProblemError ? e.status : 500;
        // The caller gets the failure either way; the attempt record already stands for it.
        await this.audit
          .append({ action, target, outcome: 'failure', details: { attempt, status, code: (e as ProblemError).code } })
          .catch((err) => this.logger.error({ err: (err as Error).message, action, attempt }, 'AUDIT: failure outcome not recorded'));
        throw e;
      }
      const created = (result as { serial?: string; id?: string } | undefined)?.serial ?? (result as { id?: string } | undefined)?.id;
      try {
        await this.audit.append({ action, target: target ?? created ?? null, outcome: 'success', details: { attempt } });
      } catch {
        throw auditUnavailableAfter(attempt);
      }
      return result;
    };
    return from(run());
  }
}
