import { Inject, Injectable } from '@nestjs/common';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { NATIONAL_SCOPE, PROBLEM_TITLES, ProblemCode, ProblemError, requestContext, type EcertConfig } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { RateLimiter } from '../access/rate-limiter.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { AnonymousRefusals } from '../audit/anonymous-refusals.service';
import { clientAddressOf } from '../request-context/client-address';
import { verifyStaffToken } from '../auth/staff-token';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import { OperationsQueues } from './operations-queues.service';
import { boardActionOf, bodySummary, clampedBoardQuery, crossSiteWrite, decodeBoardPath } from './board-request-policy';
import { BOARD_PATH, boardSessionCleared, boardSessionCookie, boardTokenFromCookies } from './board-session-cookie';
import { boardErrorsAsProblems } from './board-error-problems';
import { bodyParserProblem } from '../problem/body-parser-problem';
import { problemErrorOf, sendProblem } from '../problem/problem-response';
import { declareRawRoutes, type RawRoute } from '../openapi/raw-routes';

/** Board actions carry no body of use; anything larger is refused unread. */
const BOARD_JSON_LIMIT = '4kb';
const SESSION_PATH = '/session';

/**
 * What the board serves (described in openapi/raw-paths.ts): the session exchange, its page and
 * the JSON it reads, and the only writes board-request-policy lets through. Bull Board's other
 * read routes (assets, its page's own JSON) pass through for the same staff.
 */
export const BOARD_ROUTES: readonly RawRoute[] = [
  { method: 'post', path: `${BOARD_PATH}${SESSION_PATH}` },
  { method: 'delete', path: `${BOARD_PATH}${SESSION_PATH}` },
  { method: 'get', path: BOARD_PATH },
  { method: 'get', path: `${BOARD_PATH}/api/queues` },
  { method: 'get', path: `${BOARD_PATH}/api/queues/{queueName}/{jobId}` },
  { method: 'put', path: `${BOARD_PATH}/api/queues/{queueName}/{jobId}/retry` },
  { method: 'put', path: `${BOARD_PATH}/api/queues/{queueName}/{jobId}/promote` },
  { method: 'put', path: `${BOARD_PATH}/api/queues/{queueName}/{jobId}/clean` },
  { method: 'put', path: `${BOARD_PATH}/api/queues/{queueName}/retry/failed` },
  { method: 'put', path: `${BOARD_PATH}/api/queues/{queueName}/clean/{queueStatus}` },
];

/**
 * Bull Board at /admin/queues, for national staff only (queues hold every region's jobs): an
 * `operator` sees every queue read-only, an `admin` may also retry, promote and remove a job,
 * retry every failed one and clean completed or failed ones (board-request-policy: every other
 * Bull Board route is refused), each action audited write-ahead like every other change. Client
 * systems never: the board shows job data, and systems have the API. The staff member presents
 * the API's bearer token, in the Authorization header or (for a browser) as the board's session
 * cookie (POST /admin/queues/session exchanges one for the other).
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
    const board: RequestHandler = (req, res, next) => {
      this.handle(req, res, next).catch((e) => this.refuse(req, res, e));
    };
    return declareRawRoutes(board, BOARD_ROUTES);
  }

  private async handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    const segments = decodeBoardPath(req.path);
    if (!segments) throw ProblemError.badRequest(ProblemCode.validationFailed, 'path', 'The path has a malformed percent escape');
    const bearer = bearerOf(req);
    const token = bearer ?? boardTokenFromCookies(req.header('cookie'));
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
    // The same per-caller limit as the API (the board's page polls its API every few seconds),
    // before anything else: a refusal is audited, and audit records must not come unlimited.
    const wait = await this.limiter.take(principal.kind === 'client' ? `c:${principal.clientId}` : `s:${principal.staffId}`, principal.rateLimitPerSecond);
    if (wait > 0) throw new ProblemError(429, ProblemCode.rateLimited, '请求过于频繁 (rate limit exceeded)', `More than ${principal.rateLimitPerSecond} requests per second`, undefined, { retryAfter: wait });
    const route = `${req.method} ${BOARD_PATH}${req.path}`;
    const refuse = async (operation: string, detail: string, extra: Record<string, unknown> = {}) => {
      await this.audit.append({ action: 'access.refused', target: route, outcome: 'refused', details: { status: 403, operation, ...extra } }).catch(() => undefined);
      return new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', detail);
    };
    if (principal.kind !== 'staff' || !principal.operations.includes('operations:read')) {
      throw await refuse('operations:read', 'The queue board is for staff holding operations:read (operator or admin)');
    }
    // Queues carry no region: every job of every region is on them, so only national staff see them.
    if (!principal.regions.includes(NATIONAL_SCOPE)) {
      throw await refuse('operations:read', `The queue board shows every region's jobs: it needs national scope (${NATIONAL_SCOPE})`, { scope: principal.regions });
    }
    if (req.path === SESSION_PATH && req.method === 'POST') {
      const claims = verifyStaffToken(token!, this.config.ECERT_TOKEN_SECRET)!;
      res.setHeader('Set-Cookie', boardSessionCookie(token!, claims.exp - Date.now() / 1000, this.secureCookie)).status(204).end();
      return;
    }
    const admin = principal.operations.includes('admin');
    const boards = this.board();
    if (req.method === 'GET' || req.method === 'HEAD') {
      const q = req.url.indexOf('?');
      const query = clampedBoardQuery(q < 0 ? '' : req.url.slice(q));
      if (query !== undefined) req.url = `${req.url.slice(0, q)}${query}`;
      boardErrorsAsProblems(req, res, this.logger);
      boards[admin ? 'full' : 'readOnly'](req, res, next);
      return;
    }
    if (!admin) throw await refuse('admin', 'Actions on jobs (retry, remove, clean, ...) need the admin role; operators see the queues read-only');
    const action = boardActionOf(req.method, segments, Object.values(QueueNames));
    if (!action) {
      throw await refuse('admin', 'The gateway allows on the board only retrying, promoting and removing a job, retrying every failed job and cleaning completed or failed ones');
    }
    const crossSite = crossSiteWrite({
      origin: req.header('origin'),
      secFetchSite: req.header('sec-fetch-site'),
      host: req.header('host'),
      publicOrigin: new URL(this.config.ECERT_PUBLIC_URL).origin,
      byCookie: bearer === undefined,
    });
    if (crossSite) throw await refuse('admin', `Refused as a cross-site request: ${crossSite}`, { csrf: crossSite });
    // Parsed here (small: these actions take no body) so the audit can record what was sent.
    await parseBoardJson(req, res);
    // A change to a queue, audited like any other: the attempt before it is made, the outcome after.
    const { seq: attempt } = await this.audit.append({ action: route, target: action.queue, outcome: 'attempted', details: { ...action, body: bodySummary(req.body) } });
    let recorded = false;
    const outcome = (aborted: boolean) => {
      if (recorded) return;
      recorded = true;
      const status = aborted ? null : res.statusCode;
      void this.audit
        .append({ action: route, target: action.queue, outcome: !aborted && res.statusCode < 400 ? 'success' : 'failure', details: { attempt, status, ...(aborted ? { aborted: true } : {}) }, staffId: principal.staffId })
        .catch((e) => this.logger.error({ err: (e as Error).message, route, attempt }, 'AUDIT: queue action outcome not recorded'));
    };
    res.once('finish', () => outcome(false));
    // The connection gone before the answer was written: the action may or may not have happened.
    res.once('close', () => outcome(!res.writableFinished));
    boardErrorsAsProblems(req, res, this.logger);
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
    // Read as the API's filter reads errors: a Redis or database failure is its 503, not a 500.
    const problem = problemErrorOf(e, req, res);
    if (!(e instanceof ProblemError) || problem.status >= 500) this.logger.error({ requestId: (req as { requestId?: string }).requestId, err: (e as Error)?.message, code: problem.code }, 'queue board failed');
    if (problem.status === 401) {
      await this.anonymous.record({ action: 'access.refused', address: clientAddressOf(req), target: `${req.method} ${BOARD_PATH}`, reason: problem.message, status: 401 }).catch(() => undefined);
    }
    sendProblem(req, res, problem);
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

const parseJson = json({ limit: BOARD_JSON_LIMIT });

function parseBoardJson(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) =>
    parseJson(req, res, (err?: unknown) => {
      if (!err) return resolve();
      const e = err as { status?: number; type?: string };
      if (e.status === 413) return reject(new ProblemError(413, ProblemCode.bodyTooLarge, PROBLEM_TITLES.body_too_large, `Board actions take at most ${BOARD_JSON_LIMIT} of JSON`, 'body'));
      reject(bodyParserProblem(e));
    }),
  );
}

function bearerOf(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  return m?.[1];
}
