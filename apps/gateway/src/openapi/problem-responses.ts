import { PROBLEM_TYPE_BASE, ProblemCode } from '@ecert/common';
import type { ProblemSpec, ProblemStatus } from './api-docs.decorators';

/** Every answer of the process: an error nothing else classified. */
export const ALWAYS_PROBLEMS: ProblemSpec = { 500: [ProblemCode.internal] };

/** A call to a service over NATS: the service down or slow, its reply unverifiable, its database busy. */
export const BUS_PROBLEMS: ProblemSpec = {
  401: [ProblemCode.busContextInvalid],
  403: [ProblemCode.busCallerForbidden],
  502: [ProblemCode.internal, ProblemCode.busReplyForged],
  503: [ProblemCode.serviceUnavailable, ProblemCode.serviceTimeout, ProblemCode.databaseBusy, ProblemCode.databaseUnavailable],
};

/** The gateway's own PostgreSQL. */
export const DATABASE_PROBLEMS: ProblemSpec = { 503: [ProblemCode.databaseBusy, ProblemCode.databaseUnavailable] };

/** Redis (challenges, CRLs, Idempotency-Key, rate limits fail open). */
export const REDIS_PROBLEMS: ProblemSpec = { 503: [ProblemCode.storeUnavailable] };

/**
 * What the access guard answers on any route that is not public: no or a bad credential, an
 * operation not granted (or a region out of scope, from the service), too many requests. It reads
 * the gateway's database and, for staff tokens and client certificates, asks the cert-service.
 */
export const AUTHENTICATED_PROBLEMS: ProblemSpec[] = [
  { 401: [ProblemCode.unauthorized], 403: [ProblemCode.forbidden], 429: [ProblemCode.rateLimited] },
  DATABASE_PROBLEMS,
  BUS_PROBLEMS,
];

/** The audit interceptor: a change is audited write-ahead (503) and its outcome after (500). */
export const AUDITED_CHANGE_PROBLEMS: ProblemSpec = { 500: [ProblemCode.auditUnavailable], 503: [ProblemCode.auditUnavailable] };

/** The Idempotency-Key interceptor on an authenticated POST. */
export const IDEMPOTENCY_PROBLEMS: ProblemSpec[] = [
  { 400: [ProblemCode.validationFailed], 409: [ProblemCode.concurrentModification], 422: [ProblemCode.idempotencyKeyReused] },
  REDIS_PROBLEMS,
];

/** Parameters, query or body that fail their checks (the field is named). */
export const INPUT_PROBLEMS: ProblemSpec = { 400: [ProblemCode.validationFailed] };

/** A request body: larger than the route's limit, or not the JSON it claims to be. */
export const BODY_PROBLEMS: ProblemSpec = {
  400: [ProblemCode.validationFailed, ProblemCode.malformedJson],
  413: [ProblemCode.bodyTooLarge],
  415: [ProblemCode.unsupportedMediaType],
};

const STATUS_TEXT: Record<ProblemStatus, string> = {
  400: 'Invalid request: `field` names what is wrong (a dotted path into the body, a query or path parameter, or a header)',
  401: 'Not authenticated',
  403: 'Not permitted: an operation not granted, a region out of scope, or a rule of the resource',
  404: 'Not found',
  409: 'Conflict with the current state (nothing was changed)',
  410: 'Gone',
  413: 'Request body too large',
  415: 'Unsupported media type (judged by content)',
  422: 'Understood but refused (nothing was changed)',
  429: 'Too many requests: retry after `Retry-After` seconds',
  500: 'Internal error',
  502: 'A service behind the gateway gave an invalid answer',
  503: 'Temporarily unavailable: retry (after `Retry-After` seconds when given)',
};

export function statusDescription(status: ProblemStatus): string {
  return STATUS_TEXT[status];
}

/** The `Problem` component every error response refers to. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description:
    'RFC 9457 problem details, sent as application/problem+json. Clients switch on `code` (stable once published), never on `title` or `detail` (text for people). Further members carry details of some problems (`retryAfter`, `page`, `serials`, `attempt`, `from`/`to`/`allowed` of a refused state transition…).',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', description: `${PROBLEM_TYPE_BASE}<code>`, examples: [`${PROBLEM_TYPE_BASE}${ProblemCode.validationFailed}`] },
    title: { type: 'string', description: 'Chinese, then English in parentheses', examples: ['请求参数无效 (invalid request)'] },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, repeated' },
    code: { type: 'string', pattern: '^[a-z0-9_]+$', description: 'Stable machine code; each response lists the codes it may carry' },
    detail: { type: 'string', description: 'What happened, for a person' },
    field: { type: 'string', description: 'The offending input: body path (unit.uscc, items.3.at), query or path parameter, or header (Idempotency-Key)' },
    instance: { type: 'string', description: 'The request path' },
    requestId: { type: 'string', description: 'X-Request-Id of the request (quote it when reporting a problem)' },
    retryAfter: { type: 'integer', description: 'Seconds to wait before retrying (429, some 503); also the Retry-After header' },
  },
  additionalProperties: true,
} as const;

export const problemRef = { $ref: '#/components/schemas/Problem' } as const;

/** The schema of one error response: a Problem whose status and code are those listed. */
export function problemSchema(status: ProblemStatus, codes: readonly string[]): Record<string, unknown> {
  return { allOf: [problemRef, { type: 'object', properties: { status: { const: status }, code: { enum: [...codes] } } }] };
}

export function problemExample(status: ProblemStatus, code: string): Record<string, unknown> {
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title: EXAMPLE_TITLES[status], status, code, detail: 'What went wrong, for a person', requestId: '7d0c4b7e-5b1e-4f8e-9a53-2f7a1c9e0b11' };
}

const EXAMPLE_TITLES: Record<ProblemStatus, string> = {
  400: '请求参数无效 (invalid request)',
  401: '未认证 (authentication required)',
  403: '无权操作 (operation not permitted)',
  404: '资源不存在 (not found)',
  409: '状态冲突 (conflict)',
  410: '已删除 (gone)',
  413: '请求体过大 (request body too large)',
  415: '类型不支持 (unsupported media type)',
  422: '无法处理 (refused)',
  429: '请求过于频繁 (rate limit exceeded)',
  500: '内部错误 (internal error)',
  502: '服务应答无效 (bad reply)',
  503: '服务暂不可用 (service unavailable)',
};
