import { ProblemCode } from '@ecert/common';
import { QueueNames } from '@ecert/contracts';
import { BOARD_COOKIE, BOARD_PATH } from '../operations/board-session-cookie';
import { BOARD_JOBS_PER_PAGE_MAX } from '../operations/board-request-policy';
import { mergeProblems, type ProblemSpec } from './api-docs.decorators';
import { ALWAYS_PROBLEMS, AUDITED_CHANGE_PROBLEMS, AUTHENTICATED_PROBLEMS, BODY_PROBLEMS, INPUT_PROBLEMS } from './problem-responses';

/**
 * Operations the gateway serves outside Nest's controllers: the OCSP responder on the bare HTTP
 * server (pki/ocsp-responder.http.ts) and the queue board, Bull Board behind the staff login
 * (operations/queue-board.service.ts). Each is an OpenAPI operation object without `responses`
 * for errors (the builder adds the problem responses from `problems`).
 */
export interface RawOperation {
  operation: Record<string, unknown>;
  /** Problem responses; none for the OCSP responder, which reports errors inside its DER answer. */
  problems?: ProblemSpec;
}

const DER_BINARY = { type: 'string', format: 'binary' };

const ocspErrors =
  'Errors are OCSP responses too (HTTP 200, RFC 6960 OCSPResponseStatus): malformedRequest for an unreadable or oversized (> 16 KiB) request, tryLater while the cert-service is unavailable, internalError otherwise; a method other than GET and POST is a 405 problem+json (method_not_allowed) with Allow: GET, POST.';

const ocspCacheHeaders = {
  'Cache-Control': {
    description:
      '`no-cache` by default (a freeze takes effect at once); with OCSP_HTTP_MAX_AGE_SECONDS a nonce-less answer may say `max-age=<n>, public, no-transform, must-revalidate`, never beyond its own nextUpdate',
    schema: { type: 'string' },
  },
};

export const OCSP_PATHS: Record<string, Record<string, RawOperation>> = {
  '/pki/ocsp': {
    post: {
      operation: {
        tags: ['pki (public)'],
        operationId: 'ocsp_post',
        summary: 'OCSP responder (RFC 6960): the status of certificates ecert issued',
        description: `A DER OCSPRequest as the body (at most 16 KiB). Answers signed by the issuing CA's OCSP signer; requests without a nonce are answered from a cache kept fresh by status changes. ${ocspErrors}`,
        security: [],
        requestBody: { required: true, content: { 'application/ocsp-request': { schema: DER_BINARY } } },
        responses: {
          '200': { description: 'A DER OCSPResponse (successful, or an error status)', headers: ocspCacheHeaders, content: { 'application/ocsp-response': { schema: DER_BINARY } } },
          '405': { description: 'Method not allowed (GET and POST only): a problem+json (method_not_allowed) with Allow: GET, POST' },
        },
      },
    },
  },
  '/pki/ocsp/{request}': {
    get: {
      operation: {
        tags: ['pki (public)'],
        operationId: 'ocsp_get',
        summary: 'OCSP responder, GET form (RFC 6960 A.1): the request in the path',
        description: `For small requests and HTTP caches. ${ocspErrors}`,
        security: [],
        parameters: [
          {
            name: 'request',
            in: 'path',
            required: true,
            description: 'The DER OCSPRequest, base64 and then URL-encoded (its `/`, `+` and `=` percent-escaped)',
            schema: { type: 'string' },
            example: 'MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBQ',
          },
        ],
        responses: {
          '200': { description: 'A DER OCSPResponse (successful, or an error status)', headers: ocspCacheHeaders, content: { 'application/ocsp-response': { schema: DER_BINARY } } },
          '405': { description: 'Method not allowed (GET and POST only): a problem+json (method_not_allowed) with Allow: GET, POST' },
        },
      },
    },
  },
};

const QUEUES = Object.values(QueueNames);
const queueParam = { name: 'queueName', in: 'path', required: true, schema: { type: 'string', enum: QUEUES } };
const jobParam = { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } };
const boardSecurity = [{ staffBearer: [] }, { boardSession: [] }];
const boardTags = ['operations'];
const boardRefusals =
  'Staff only, with operations:read and national scope (000000): the queues hold every region\'s jobs. Client credentials are resolved and refused (403). Rate-limited per staff member like the API.';
const boardAudit = 'Audited write-ahead like every change (attempt, then outcome); a write authenticated by the cookie must come from the gateway\'s own origin (Origin or Sec-Fetch-Site: same-origin).';
const boardProblems = mergeProblems(ALWAYS_PROBLEMS, ...AUTHENTICATED_PROBLEMS, INPUT_PROBLEMS);
const boardWriteProblems = mergeProblems(boardProblems, BODY_PROBLEMS, AUDITED_CHANGE_PROBLEMS);
const anyJson = { type: 'object', additionalProperties: true, description: "Bull Board's own JSON (see @bull-board/api)" };

const boardAction = (operationId: string, summary: string, parameters: unknown[]): RawOperation => ({
  operation: {
    tags: boardTags,
    operationId,
    summary,
    description: `Admin only (operators see the board read-only: 403). ${boardAudit}`,
    security: boardSecurity,
    parameters,
    responses: { '200': { description: "Done (Bull Board's answer)", content: { 'application/json': { schema: anyJson } } } },
  },
  problems: boardWriteProblems,
});

export const BOARD_PATHS: Record<string, Record<string, RawOperation>> = {
  [`${BOARD_PATH}/session`]: {
    post: {
      operation: {
        tags: boardTags,
        operationId: 'queueBoard_openSession',
        summary: 'Open a browser session on the queue board: the bearer token becomes an HttpOnly cookie for /admin/queues only',
        description: `${boardRefusals} The cookie (${BOARD_COOKIE}, SameSite=Strict, Path=${BOARD_PATH}) lives no longer than the token.`,
        security: boardSecurity,
        responses: { '204': { description: 'Session opened', headers: { 'Set-Cookie': { description: `${BOARD_COOKIE}=<token>; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict`, schema: { type: 'string' } } } } },
      },
      problems: boardProblems,
    },
    delete: {
      operation: {
        tags: boardTags,
        operationId: 'queueBoard_closeSession',
        summary: 'Close the queue board session (clears the cookie)',
        description: 'Needs no credential: it only clears the cookie.',
        security: [],
        responses: { '204': { description: 'Cookie cleared', headers: { 'Set-Cookie': { description: `${BOARD_COOKIE}=; Max-Age=0`, schema: { type: 'string' } } } } },
      },
      problems: mergeProblems(ALWAYS_PROBLEMS, { 400: [ProblemCode.validationFailed] }),
    },
  },
  [BOARD_PATH]: {
    get: {
      operation: {
        tags: boardTags,
        operationId: 'queueBoard_page',
        summary: 'Bull Board: the BullMQ queues (CRL refresh, invalidation, reminders, webhooks, mail, sagas), failed jobs first',
        description: `${boardRefusals} Its page loads its own assets and JSON below ${BOARD_PATH} (read-only routes of Bull Board, passed through unchanged; jobsPerPage is clamped to ${BOARD_JOBS_PER_PAGE_MAX}).`,
        security: boardSecurity,
        responses: { '200': { description: 'The board (HTML)', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
      problems: boardProblems,
    },
  },
  [`${BOARD_PATH}/api/queues`]: {
    get: {
      operation: {
        tags: boardTags,
        operationId: 'queueBoard_queues',
        summary: 'Every queue with its job counts, and the jobs of the active queue (Bull Board)',
        description: boardRefusals,
        security: boardSecurity,
        parameters: [
          { name: 'activeQueue', in: 'query', required: false, schema: { type: 'string', enum: QUEUES } },
          { name: 'status', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
          { name: 'jobsPerPage', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: BOARD_JOBS_PER_PAGE_MAX } },
        ],
        responses: { '200': { description: "Bull Board's queue listing", content: { 'application/json': { schema: anyJson } } } },
      },
      problems: boardProblems,
    },
  },
  [`${BOARD_PATH}/api/queues/{queueName}/{jobId}`]: {
    get: {
      operation: {
        tags: boardTags,
        operationId: 'queueBoard_job',
        summary: 'One job and its status (Bull Board)',
        description: boardRefusals,
        security: boardSecurity,
        parameters: [queueParam, jobParam],
        responses: { '200': { description: "Bull Board's job", content: { 'application/json': { schema: anyJson } } } },
      },
      problems: boardProblems,
    },
  },
  [`${BOARD_PATH}/api/queues/{queueName}/{jobId}/retry`]: { put: boardAction('queueBoard_retryJob', 'Retry one failed job', [queueParam, jobParam]) },
  [`${BOARD_PATH}/api/queues/{queueName}/{jobId}/promote`]: { put: boardAction('queueBoard_promoteJob', 'Promote one delayed job', [queueParam, jobParam]) },
  [`${BOARD_PATH}/api/queues/{queueName}/{jobId}/clean`]: { put: boardAction('queueBoard_removeJob', 'Remove one job', [queueParam, jobParam]) },
  [`${BOARD_PATH}/api/queues/{queueName}/retry/failed`]: { put: boardAction('queueBoard_retryFailed', 'Retry every failed job of a queue', [queueParam]) },
  [`${BOARD_PATH}/api/queues/{queueName}/clean/{queueStatus}`]: {
    put: boardAction('queueBoard_clean', 'Remove every completed or failed job of a queue', [queueParam, { name: 'queueStatus', in: 'path', required: true, schema: { type: 'string', enum: ['completed', 'failed'] } }]),
  },
};
