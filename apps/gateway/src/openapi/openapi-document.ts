import { createHash } from 'node:crypto';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_PATTERN } from '@ecert/contracts';
import { PUBLIC_ROUTE, REQUIRED_OPERATION } from '../access/principal';
import { SECRET_ANSWER } from '../idempotency/secret-answer.decorator';
import { BOARD_COOKIE } from '../operations/board-session-cookie';
import { API_ANSWER, API_CREDENTIALS, API_PROBLEMS, API_UPLOAD, mergeProblems, type AnswerHeader, type ApiAnswer, type ApiUploadSpec, type CredentialScheme, type ProblemSpec, type ProblemStatus } from './api-docs.decorators';
import {
  ALWAYS_PROBLEMS,
  AUDITED_CHANGE_PROBLEMS,
  AUTHENTICATED_PROBLEMS,
  BODY_PROBLEMS,
  IDEMPOTENCY_PROBLEMS,
  INPUT_PROBLEMS,
  PROBLEM_SCHEMA,
  problemExample,
  problemSchema,
  statusDescription,
} from './problem-responses';
import { BOARD_PATHS, OCSP_PATHS, type RawOperation } from './raw-paths';
import { RESPONSE_SCHEMAS } from './response-schemas.generated';
import { RESPONSE_EXAMPLES } from './response-examples';

type Json = Record<string, any>;

/** Every credential the access guard accepts (access.service.ts). */
const ALL_CREDENTIALS: CredentialScheme[] = ['apiKey', 'staffBearer', 'clientCertificate'];
const MUTATING = new Set(['post', 'put', 'patch', 'delete']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const DESCRIPTION = `数字证书与电子印章平台 — certificates (UKey), revocation status and electronic seals for HRSS systems.

**Credentials.** Registered client systems send \`X-Api-Key\` (or present their client certificate to the TLS proxy); staff log in with their certificate (POST /api/v1/auth/challenge, then /api/v1/auth/login) and send \`Authorization: Bearer <token>\`. Each operation names the operation grant it needs (\`x-ecert-operation\`); what a caller sees is limited to its regions. Public routes (PKI material, OCSP, health, the login handshake) need none.

**Errors** are application/problem+json (the \`Problem\` schema) with a stable \`code\`; every response lists the codes it may carry and \`field\` names the offending input.

**Lists** take \`page\` (from 1) and \`pageSize\` (1–100, default 20) and answer \`{items, page, pageSize, total}\` in a fixed, stated order. Lists that grow large (certificates, applications, the audit trail, the invalid list) also answer \`next\` while more may follow: \`?after=<next>\` is the following page in the same order, unaffected by rows added meanwhile.

**Retries.** A POST with \`Idempotency-Key\` (8–128 of \`[A-Za-z0-9._:-]\`) is carried out once: a retry with the same key and body gets the first answer again (24 h).`;

const HEADERS: Record<AnswerHeader, Json> = {
  ETag: { description: 'The version of the resource, e.g. "3": send it as If-Match with the next change', schema: { type: 'string' } },
  'Cache-Control': { description: 'How long shared caches may keep the answer', schema: { type: 'string' } },
  'Content-Disposition': { description: 'attachment; filename="…": the platform never renders uploaded content inline', schema: { type: 'string' } },
  'Content-Security-Policy': { description: 'A sandbox for the downloaded content', schema: { type: 'string' } },
  'Set-Cookie': { description: 'A cookie for this path', schema: { type: 'string' } },
};

/** Downloads that are text (the rest are bytes). */
const TEXT_MEDIA = /^text\/|^application\/x-pem-file$/;

const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };

/** Components the operations refer to, collected while they are described. */
interface Shared {
  responses: Json;
  examples: Json;
}

const sortedKeys = (o: Json) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

interface Handler {
  cls: Type<unknown>;
  method: string;
  fn: object;
}

/**
 * The gateway's OpenAPI 3.1 document, built in one place for /api/docs, /api/docs-json and the
 * test that compares it with the router. Nest's scanner gives paths, parameters and request DTOs;
 * this adds, per operation, what the route's metadata implies: security (none for @Public), the
 * operation grant, the 2xx answer (@ApiResult / @ApiFile), upload bodies (@ApiUpload), the
 * Idempotency-Key header, and a problem response per status listing every code — the route's own
 * (@ApiProblems) and those of the guard, interceptors, body parsers and the bus it goes through.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('ecert API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .setOpenAPIVersion('3.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A registered client system\'s API key (POST /api/v1/clients shows it once)' }, 'apiKey')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'ecert staff token', description: 'A staff member\'s token from POST /api/v1/auth/login (certificate login), valid STAFF_TOKEN_TTL_MINUTES and no longer than its certificate is usable' }, 'staffBearer')
    .addSecurity('clientCertificate', {
      // OpenAPI 3.1's mutualTLS: the TLS proxy forwards the verified certificate as X-Client-Cert,
      // honoured only from ECERT_TRUSTED_PROXIES.
      type: 'mutualTLS' as 'apiKey',
      description: 'A client system\'s ecert-issued certificate (POST /api/v1/clients/{id}/certificates), presented over mutual TLS to the proxy in front of the gateway, which forwards it as X-Client-Cert; only from ECERT_TRUSTED_PROXIES, and only while the certificate is neither frozen nor revoked',
    })
    .addSecurity('boardSession', { type: 'apiKey', in: 'cookie', name: BOARD_COOKIE, description: 'The queue board\'s session cookie (POST /admin/queues/session), sent only to /admin/queues' })
    .build();
  const doc = SwaggerModule.createDocument(app, config) as OpenAPIObject & Json;
  const handlers = handlerIndex(app);
  const reflector = new Reflector();
  const shared: Shared = { responses: {}, examples: {} };

  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = (item as Json)[method] as Json | undefined;
      if (!operation) continue;
      const h = handlers.get(operation.operationId);
      if (!h) throw new Error(`OpenAPI: no handler for operation ${operation.operationId} (${method.toUpperCase()} ${path})`);
      describeOperation(operation, method, h, reflector, shared);
    }
  }
  for (const [path, item] of Object.entries({ ...OCSP_PATHS, ...BOARD_PATHS })) {
    if (doc.paths[path]) throw new Error(`OpenAPI: ${path} is described twice`);
    doc.paths[path] = Object.fromEntries(Object.entries(item).map(([method, raw]) => [method, rawOperation(raw, shared)]));
  }

  doc.components ??= {};
  doc.components.schemas ??= {};
  for (const [name, schema] of Object.entries({ Problem: PROBLEM_SCHEMA, ...RESPONSE_SCHEMAS })) {
    if (doc.components.schemas[name]) throw new Error(`OpenAPI: two schemas named ${name} (a request DTO and a response type?)`);
    doc.components.schemas[name] = schema as Json;
  }
  // Shared by reference: the same problem response and the same example recur on many operations.
  doc.components.responses = { ...doc.components.responses, ...sortedKeys(shared.responses) };
  doc.components.examples = { ...doc.components.examples, ...sortedKeys(shared.examples) };
  return doc;
}

function handlerIndex(app: INestApplication): Map<string, Handler> {
  const out = new Map<string, Handler>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as Type<unknown> | undefined;
      if (!cls?.prototype) continue;
      for (const method of Object.getOwnPropertyNames(cls.prototype)) {
        const fn = cls.prototype[method];
        if (method !== 'constructor' && typeof fn === 'function') out.set(`${cls.name}_${method}`, { cls, method, fn });
      }
    }
  }
  return out;
}

function describeOperation(operation: Json, method: string, h: Handler, reflector: Reflector, shared: Shared): void {
  const targets = [h.fn as () => unknown, h.cls];
  const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true;
  const grant = reflector.getAllAndOverride<string | undefined>(REQUIRED_OPERATION, targets);
  const credentials = reflector.getAllAndOverride<CredentialScheme[] | undefined>(API_CREDENTIALS, targets) ?? ALL_CREDENTIALS;
  const secret = reflector.getAllAndOverride<boolean>(SECRET_ANSWER, targets) === true;
  const answer = Reflect.getMetadata(API_ANSWER, h.fn) as ApiAnswer | undefined;
  const upload = Reflect.getMetadata(API_UPLOAD, h.fn) as ApiUploadSpec | undefined;
  const own: ProblemSpec[] = [...((Reflect.getMetadata(API_PROBLEMS, h.cls) as ProblemSpec[] | undefined) ?? []), ...((Reflect.getMetadata(API_PROBLEMS, h.fn) as ProblemSpec[] | undefined) ?? [])];

  operation.security = isPublic ? [] : credentials.map((c) => ({ [c]: [] }));
  if (grant) {
    operation['x-ecert-operation'] = grant;
    addDescription(operation, `Needs the operation grant \`${grant}\`.`);
  } else if (!isPublic) {
    addDescription(operation, 'Any authenticated caller (the service decides what it may see).');
  }

  if (upload) operation.requestBody = uploadBody(operation.requestBody as Json | undefined, upload);

  const jsonBody = !upload || !!(operation.requestBody as Json | undefined)?.content?.['application/json'];
  if (!isPublic && method === 'post') {
    if (secret) {
      addDescription(operation, 'The answer carries a secret: it is never cached nor kept for a replay, so `Idempotency-Key` is refused here (400).');
    } else if (!jsonBody) {
      addDescription(operation, 'An upload is idempotent by its content (the same file twice changes nothing): `Idempotency-Key` is refused with it (400).');
    } else {
      operation.parameters = [
        ...((operation.parameters as Json[] | undefined) ?? []),
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Carry the POST out once: a retry with the same key and body within 24 h gets the first answer; the same key with another body is a 422, a retry while the first runs a 409',
          schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
        },
      ];
    }
  }

  const status = String((Reflect.getMetadata(HTTP_CODE_METADATA, h.fn) as number | undefined) ?? (method === 'post' ? 201 : 200));
  const scanned = (operation.responses ?? {}) as Json;
  // An error answer a route describes itself (health's 503 with its own body) stands as written.
  const described = Object.fromEntries(Object.entries(scanned).filter(([k]) => !k.startsWith('2')));
  operation.responses = { ...successResponses(scanned, status, answer, shared), ...problemResponses(problemsOf(operation, method, isPublic, secret, jsonBody, own), shared), ...described };
}

function addDescription(operation: Json, text: string): void {
  operation.description = [operation.description, text].filter(Boolean).join('\n\n');
}

function problemsOf(operation: Json, method: string, isPublic: boolean, secret: boolean, jsonBody: boolean, own: ProblemSpec[]): ProblemSpec {
  const specs: ProblemSpec[] = [ALWAYS_PROBLEMS];
  if (!isPublic) specs.push(...AUTHENTICATED_PROBLEMS);
  if (!isPublic && MUTATING.has(method)) specs.push(AUDITED_CHANGE_PROBLEMS);
  if (!isPublic && method === 'post') specs.push(...(secret || !jsonBody ? [INPUT_PROBLEMS] : IDEMPOTENCY_PROBLEMS));
  if ((operation.parameters as unknown[] | undefined)?.length) specs.push(INPUT_PROBLEMS);
  if (operation.requestBody) specs.push(BODY_PROBLEMS);
  return mergeProblems(...specs, ...own);
}

function successResponses(scanned: Json | undefined, status: string, answer: ApiAnswer | undefined, shared: Shared): Json {
  // Nest adds a 2xx per @Api…Response and one for the route's default code; only the real one stays.
  const found = Object.entries(scanned ?? {}).filter(([k]) => k.startsWith('2'));
  const description = answer?.description || (scanned?.[status]?.description as string | undefined) || found.map(([, r]) => r.description as string).find(Boolean) || 'Done';
  const out: Json = { description };
  if (answer?.headers?.length) out.headers = Object.fromEntries(answer.headers.map((h) => [h, HEADERS[h]]));
  if (answer?.kind === 'json') {
    shared.examples[answer.schema] = { summary: answer.schema, value: RESPONSE_EXAMPLES[answer.schema] };
    out.content = { 'application/json': { schema: { $ref: `#/components/schemas/${answer.schema}` }, examples: { [answer.schema]: { $ref: `#/components/examples/${answer.schema}` } } } };
    for (const [mediaType, text] of Object.entries(answer.alternatives ?? {})) out.content[mediaType] = { schema: { type: 'string', description: text } };
  } else if (answer?.kind === 'file') {
    out.content = Object.fromEntries(answer.mediaTypes.map((t) => [t, { schema: TEXT_MEDIA.test(t) ? { type: 'string' } : { type: 'string', format: 'binary' } }]));
  }
  return { [status]: out };
}

/** One response per status, each a shared component named by its status and codes (problem-<status>-<digest>). */
function problemResponses(spec: ProblemSpec, shared: Shared): Json {
  const out: Json = {};
  for (const [key, codes] of Object.entries(spec).sort(([a], [b]) => Number(a) - Number(b))) {
    const status = Number(key) as ProblemStatus;
    if (!codes?.length) continue;
    const name = `problem-${status}-${createHash('sha256').update(codes.join(',')).digest('hex').slice(0, 8)}`;
    shared.responses[name] ??= {
      description: `${statusDescription(status)}. Codes: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
      content: { 'application/problem+json': { schema: problemSchema(status, codes), example: problemExample(status, codes[0]!) } },
    };
    out[key] = { $ref: `#/components/responses/${name}` };
  }
  return out;
}

function uploadBody(scanned: Json | undefined, upload: ApiUploadSpec): Json {
  const content: Json = {};
  // A JSON DTO the route takes too (seals verify/extract) keeps its schema; every other media type is the file.
  const json = (scanned?.content as Json | undefined)?.['application/json'];
  if (json) content['application/json'] = json;
  if (upload.multipart) content['multipart/form-data'] = { schema: { type: 'object', ...upload.multipart } };
  for (const t of upload.raw ?? []) content[t] = { schema: { type: 'string', format: 'binary' } };
  return { required: true, ...(upload.description ? { description: upload.description } : {}), content };
}

function rawOperation(raw: RawOperation, shared: Shared): Json {
  const operation = structuredClone(raw.operation) as Json;
  if (raw.problems) operation.responses = { ...(operation.responses as Json), ...problemResponses(raw.problems, shared) };
  return operation;
}
