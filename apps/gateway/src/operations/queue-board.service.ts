import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { RateLimiter } from '../access/rate-limiter.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { AnonymousRefusals } from '../audit/anonymous-refusals.service';
import { clientAddressOf } from '../request-context/client-address';
import { verifyStaffToken } from '../auth/staff-token';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import { OperationsQueues } from './operations-queues.service';
import { BOARD_PATH, boardSessionCleared, boardSessionCookie, boardTokenFromCookies } from './board-session-cookie';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SESSION_PATH = '/session';

/**
 * Bull Board at /admin/queues, for staff only: an `operator` sees every queue read-only, an
 * `admin` may also retry, promote, remove and clean jobs (each such action audited, write-ahead,
 * like every other change). Client systems never: the board shows job data, and systems have the
 * API. The staff member presents the API's bearer token, in the Authorization header or (for a
 * browser) as the board's session cookie (POST /admin/queues/session exchanges one for the other).
 */
@Injectable()
export class QueueBoard {
  private boards?: { readOnly: RequestHandler; full: RequestHandler };
  private readonly secureCookie: boolean;

  constructor(
    private readonly queues: OperationsQueues,
    private readonly access: AccessService,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditTrail,
    private readonly anonymous: AnonymousRefusals,
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.secureCookie = config.ECERT_PUBLIC_URL.startsWith('https:');
  }

  /** Mounted at BOARD_PATH before Nest's routes (see main.ts). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      this.handle(req, res, next).catch((e) => this.refuse(req, res, e));
    };
  }

  private async handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token = bearerOf(req) ?? boardTokenFromCookies(req.header('cookie'));
    if (req.path === SESSION_PATH && req.method === 'DELETE') {
      res.setHeader('Set-Cookie', boardSessionCleared(this.secureCookie)).status(204).end();
      return;
    }
    const principal = await this.principalOf(req, token);
    const ctx = requestContext.getStore();
    if (ctx) {
      Object.assign(ctx, principal.kind === 'staff' ? { actor: principal.staffId, role: principal.role } : { clientId: principal.clientId });
      Object.assign(ctx, { regions: principal.regions, operations: principal.operations });
    }
    const route = `${req.method} ${BOARD_PATH}${req.path}`;
    if (principal.kind !== 'staff' || !principal.operations.includes('operations:read')) {
      await this.audit.append({ action: 'access.refused', target: route, outcome: 'refused', details: { status: 403, operation: 'operations:read' } }).catch(() => undefined);
      throw new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', 'The queue board is for staff holding operations:read (operator or admin)');
    }
    // The same per-caller limit as the API (the board's page polls its API every few seconds).
    const wait = await this.limiter.take(`s:${principal.staffId}`, principal.rateLimitPerSecond);
    if (wait > 0) throw new ProblemError(429, ProblemCode.rateLimited, '请求过于频繁 (rate limit exceeded)', `More than ${principal.rateLimitPerSecond} requests per second`, undefined, { retryAfter: wait });
    if (req.path === SESSION_PATH && req.method === 'POST') {
      const claims = verifyStaffToken(token!, this.config.ECERT_TOKEN_SECRET)!;
      res.setHeader('Set-Cookie', boardSessionCookie(token!, claims.exp - Date.now() / 1000, this.secureCookie)).status(204).end();
      return;
    }
    const admin = principal.operations.includes('admin');
    const boards = this.board();
    if (!MUTATING.has(req.method)) {
      boards[admin ? 'full' : 'readOnly'](req, res, next);
      return;
    }
    if (!admin) {
      await this.audit.append({ action: 'access.refused', target: route, outcome: 'refused', details: { status: 403, operation: 'admin' } }).catch(() => undefined);
      throw new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', 'Actions on jobs (retry, remove, clean, ...) need the admin role; operators see the queues read-only');
    }
    // A change to a queue, audited like any other: the attempt before it is made, the outcome after.
    const { seq: attempt } = await this.audit.append({ action: route, target: queueOf(req.path), outcome: 'attempted', details: { body: req.body ?? null } });
    res.on('finish', () => {
      void this.audit
        .append({ action: route, target: null, outcome: res.statusCode < 400 ? 'success' : 'failure', details: { attempt, status: res.statusCode }, staffId: principal.staffId })
        .catch((e) => this.logger.error({ err: (e as Error).message, route, attempt }, 'AUDIT: queue action outcome not recorded'));
    });
    boards.full(req, res, next);
  }

  private async principalOf(req: Request, token: string | undefined): Promise<Principal> {
    if (token) return this.access.staffByToken(token);
    // An API key or a client certificate: resolved as the API would (and then refused: not staff).
    if (req.header('x-api-key') || req.header('x-client-cert')) return this.access.resolve(req);
    if (req.header('authorization')) throw new ProblemError(401, ProblemCode.unauthorized, '未认证 (authentication required)', 'Authorization must be "Bearer <token>"');
    throw new ProblemError(401, ProblemCode.unauthorized, '未认证 (authentication required)', 'The queue board needs a staff login: a Bearer token, or the board session cookie (POST /admin/queues/session)');
  }

  private async refuse(req: Request, res: Response, e: unknown): Promise<void> {
    const problem = e instanceof ProblemError ? e : new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', 'Unexpected error');
    if (!(e instanceof ProblemError)) this.logger.error({ err: (e as Error)?.message }, 'queue board failed');
    if (problem.status === 401) {
      await this.anonymous.record({ action: 'access.refused', address: clientAddressOf(req), target: `${req.method} ${BOARD_PATH}`, reason: problem.message, status: 401 }).catch(() => undefined);
    }
    if (res.headersSent) return;
    const body = { ...problem.toProblem((req as Request & { requestId?: string }).requestId), instance: req.originalUrl };
    const retryAfter = (body as { retryAfter?: unknown }).retryAfter;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
  }

  /** Two boards over the same queues: one whose adapters refuse every action, one for admins. */
  private board(): { readOnly: RequestHandler; full: RequestHandler } {
    if (!this.boards) {
      const make = (readOnlyMode: boolean) => {
        const server = new ExpressAdapter();
        server.setBasePath(BOARD_PATH);
        createBullBoard({
          queues: [...this.queues.all().values()].map((q) => new BullMQAdapter(q, { readOnlyMode })),
          serverAdapter: server,
          options: { uiConfig: { boardTitle: readOnlyMode ? 'ecert queues (read-only)' : 'ecert queues' } },
        });
        return server.getRouter() as RequestHandler;
      };
      this.boards = { readOnly: make(true), full: make(false) };
    }
    return this.boards;
  }
}

/** The queue an action is on, from the board's API path (`/api/queues/<name>/…`). */
function queueOf(path: string): string | null {
  const m = /^\/api\/queues\/([^/]+)/.exec(path);
  return m ? decodeURIComponent(m[1]) : null;
}

function bearerOf(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  return m?.[1];
}
