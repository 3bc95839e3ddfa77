import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildOpenApiDocument } from '../../apps/gateway/src/openapi/openapi-document';
import { rawRoutesOf, type RawRoute } from '../../apps/gateway/src/openapi/raw-routes';
import { RESPONSE_EXAMPLES } from '../../apps/gateway/src/openapi/response-examples';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { api } from '../support/http';
import { generatedSchemasUpToDate } from '../support/response-schemas';
import { closed } from '../support/conforming-client';
import { clientFilesUpToDate, offlineOpenApiDocument } from '../../scripts/client-generate';

type Json = Record<string, any>;

/**
 * Served but deliberately not in the document, each with its reason. Anything else the router,
 * the HTTP server or an Express mount serves must be described.
 */
const NOT_DESCRIBED: { route: RegExp; reason: string }[] = [
  { route: /^GET \/api\/docs-(json|yaml)$/, reason: 'the document itself' },
  { route: /^GET \/api\/docs(\/.*)?$/, reason: 'Swagger UI, the viewer of the document (its page, start-up script and licence)' },
];

/** Express mounts that answer nothing themselves, or serve only what is not described (by mount path and middleware name). */
const PASS_THROUGH_MOUNTS: { mount: RegExp; name: string; reason: string }[] = [
  { mount: /^\/api\/v1\/seals$/, name: 'jsonParser', reason: 'a larger JSON body limit for seal pictures; the routes below are Nest routes' },
  { mount: /^\/api\/v1\/certificates\/activity$/, name: 'jsonParser', reason: 'a larger JSON body limit for activity reports; the route is a Nest route' },
  { mount: /^\/api\/docs(\/|$)/, name: 'serveStatic', reason: "Swagger UI's static assets (the document's viewer)" },
];

/**
 * Outside the gateway's HTTP server, so not in its router: GET /metrics is served by its own
 * server on METRICS_HOST:METRICS_PORT (operations/metrics-server.service.ts) for Prometheus, a
 * private interface that is no part of the API (docs/operations.md).
 */

/** Operations that need no credential: a route joins this list deliberately, never by accident. */
const PUBLIC_OPERATIONS = [
  'GET /api/v1/health',
  'POST /api/v1/auth/challenge',
  'POST /api/v1/auth/login',
  'GET /pki/ca',
  'GET /pki/ca/{file}',
  'GET /pki/crl/{file}',
  'POST /pki/ocsp',
  'GET /pki/ocsp/{request}',
  'DELETE /admin/queues/session',
];

/** Error responses that are not problem+json, each with its reason. */
const NOT_PROBLEMS: Record<string, string> = {
  'GET /api/v1/health 503': 'health reports itself: a load balancer reads the status, a person the body naming what is down',
};

/** Operations whose errors are not problem+json: they report them inside their own answer format. */
const IN_BAND_ERRORS: Record<string, string> = {
  'POST /pki/ocsp': 'RFC 6960: errors are OCSPResponses (malformedRequest, tryLater, internalError)',
  'GET /pki/ocsp/{request}': 'RFC 6960: errors are OCSPResponses (malformedRequest, tryLater, internalError)',
};

const toTemplate = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** What the gateway really serves: the HTTP server's request listeners, Express's routes and its path mounts. */
function servedRoutes(app: INestApplication): { routes: Set<string>; unexplained: string[] } {
  const routes = new Set<string>();
  const unexplained: string[] = [];
  const add = (r: RawRoute) => routes.add(`${r.method.toUpperCase()} ${r.path}`);
  const express = app.getHttpAdapter().getInstance() as { router: { stack: Json[] } };
  for (const listener of (app.getHttpServer() as Server).listeners('request')) {
    if ((listener as unknown) === express) continue;
    const declared = rawRoutesOf(listener);
    if (!declared) unexplained.push(`a request listener on the HTTP server (${listener.name || 'anonymous'}) that declares no routes`);
    else declared.forEach(add);
  }
  for (const layer of express.router.stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') routes.add(`${m.toUpperCase()} ${toTemplate(String(path))}`);
      continue;
    }
    const mount = String(layer.rawPath ?? '/');
    // Global middleware (request id, client address, body and query parsers) answers nothing itself.
    if (mount === '/') continue;
    const declared = rawRoutesOf(layer.handle);
    if (declared) declared.forEach(add);
    else if (!PASS_THROUGH_MOUNTS.some((m) => m.mount.test(mount) && m.name === layer.name)) unexplained.push(`${mount} (${layer.name}): describe what it serves (declareRawRoutes) or list it with a reason`);
  }
  return { routes, unexplained };
}

function operations(doc: Json): [string, Json][] {
  const out: [string, Json][] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) if (['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) out.push([`${method.toUpperCase()} ${path}`, op as Json]);
  }
  return out;
}

let p: TestPlatform;
let doc: Json;

/** A response or example given by reference, resolved within the document. */
function resolve(node: Json): Json {
  const ref = node?.$ref as string | undefined;
  if (!ref) return node;
  return ref.replace(/^#\//, '').split('/').reduce((n: Json, part) => n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

beforeAll(async () => {
  p = await startTestPlatform({ services: ['gateway'], noDefaultClient: true });
  const r = await api(p.baseUrl, 'GET', '/api/docs-json');
  expect(r.status).toBe(200);
  doc = r.body;
});

afterAll(async () => {
  await p?.close();
});

describe('the OpenAPI document', () => {
  it('is the one buildOpenApiDocument builds, and OpenAPI 3.1', () => {
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument(p.gateway!)))).toEqual(doc);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('validates against the OpenAPI 3.x schema', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 4000)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the gateway serves, and nothing it does not', () => {
    const { routes, unexplained } = servedRoutes(p.gateway!);
    expect(unexplained).toEqual([]);
    const documented = new Set(operations(doc).map(([k]) => k));
    const missing = [...routes].filter((r) => !documented.has(r) && !NOT_DESCRIBED.some((n) => n.route.test(r)));
    expect(missing, 'served but not in the OpenAPI document').toEqual([]);
    const phantom = [...documented].filter((r) => !routes.has(r));
    expect(phantom, 'in the document but not served').toEqual([]);
    // The test would see nothing if the walk found nothing.
    expect(routes.size).toBeGreaterThan(90);
    expect(routes).toContain('POST /pki/ocsp');
    expect(routes).toContain('PUT /admin/queues/api/queues/{queueName}/{jobId}/retry');
  });

  it('gives every operation a 2xx answer with a schema (or none, explicitly), problem responses and a security decision', () => {
    const schemes = Object.keys(doc.components.securitySchemes);
    const faults: string[] = [];
    for (const [key, op] of operations(doc)) {
      const responses = Object.entries(op.responses ?? {}).map(([k, r]) => [k, resolve(r as Json)]) as [string, Json][];
      const success = responses.filter(([s]) => s.startsWith('2'));
      if (success.length !== 1) faults.push(`${key}: ${success.length} 2xx responses`);
      for (const [status, r] of success) {
        if (status === '204') {
          if (r.content) faults.push(`${key}: 204 with content`);
          continue;
        }
        const content = Object.entries((r.content ?? {}) as Json);
        if (!content.length) faults.push(`${key}: ${status} without content`);
        for (const [mediaType, c] of content) {
          if (!c.schema) faults.push(`${key}: ${status} ${mediaType} without schema`);
          if (mediaType === 'application/json') {
            const ref = c.schema?.$ref as string | undefined;
            if (ref && !doc.components.schemas[ref.split('/').pop()!]) faults.push(`${key}: ${ref} is not a component`);
            const example = Object.values((c.examples ?? {}) as Json).map((e) => resolve(e as Json))[0] ?? (c.example !== undefined ? { value: c.example } : undefined);
            if (ref && example?.value === undefined) faults.push(`${key}: ${status} JSON without an example`);
          }
        }
      }
      const errors = responses.filter(([s]) => /^[45]/.test(s));
      const problems = errors.filter(([, r]) => r.content);
      if (!IN_BAND_ERRORS[key] && !problems.length) faults.push(`${key}: no problem response`);
      for (const [status, r] of problems) {
        if (NOT_PROBLEMS[`${key} ${status}`]) continue;
        const c = r.content['application/problem+json'];
        if (!c || Object.keys(r.content).length !== 1) faults.push(`${key}: ${status} is not application/problem+json`);
        else if (c.schema?.allOf?.[0]?.$ref !== '#/components/schemas/Problem' || !c.schema.allOf[1]?.properties?.code?.enum?.length) faults.push(`${key}: ${status} does not list its codes on the Problem schema`);
      }
      if (!Array.isArray(op.security)) faults.push(`${key}: no security decision`);
      else if (op.security.length === 0) {
        if (!PUBLIC_OPERATIONS.includes(key)) faults.push(`${key}: public but not listed as public`);
      } else {
        if (PUBLIC_OPERATIONS.includes(key)) faults.push(`${key}: listed as public but needs a credential`);
        for (const req of op.security) for (const s of Object.keys(req)) if (!schemes.includes(s)) faults.push(`${key}: unknown security scheme ${s}`);
        const unauthorized = resolve(op.responses['401'])?.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum ?? [];
        if (!unauthorized.includes('unauthorized')) faults.push(`${key}: needs a credential but lists no 401 unauthorized`);
      }
      const declared = new Set(((op.parameters ?? []) as Json[]).filter((x) => x.in === 'path').map((x) => x.name));
      for (const m of key.matchAll(/\{([^}]+)\}/g)) if (!declared.has(m[1])) faults.push(`${key}: path parameter ${m[1]} not declared`);
    }
    expect(faults).toEqual([]);
    for (const key of PUBLIC_OPERATIONS) expect(operations(doc).find(([k]) => k === key)?.[1].security, key).toEqual([]);
  });

  it('has response schemas generated from the types the routes return (npx vitest with ECERT_WRITE_OPENAPI_SCHEMAS=1 regenerates)', () => {
    expect(generatedSchemasUpToDate().upToDate, 'apps/gateway/src/openapi/response-schemas.generated.ts is stale').toBe(true);
  });

  it('is what the typed client @ecert/client was generated from (npm run client:generate regenerates)', async () => {
    // client:generate builds the document without a platform (Nest's preview mode): the same one.
    expect(await offlineOpenApiDocument()).toEqual(doc);
    const fresh = await clientFilesUpToDate(doc);
    expect(fresh.document, 'packages/client/openapi.json is stale').toBe(true);
    expect(fresh.schema, 'packages/client/src/schema.d.ts is stale').toBe(true);
  });

  it('has an example for every response type, each valid against its schema', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(closed(doc), 'openapi.json');
    const faults: string[] = [];
    for (const [name, example] of Object.entries(RESPONSE_EXAMPLES)) {
      if (!doc.components.schemas[name]) faults.push(`${name}: an example without a schema`);
      const validate = ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
      if (!validate(example)) faults.push(`${name}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(faults).toEqual([]);
    // The problem responses' examples too.
    for (const [name, r] of Object.entries(doc.components.responses as Json)) {
      const c = (r as Json).content?.['application/problem+json'];
      if (!c) continue;
      const validate = ajv.compile({ $ref: `openapi.json#/components/responses/${name}/content/application~1problem+json/schema` });
      expect(validate(c.example), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('names the media types of the public PKI routes, uploads and downloads', () => {
    const op = (key: string) => operations(doc).find(([k]) => k === key)?.[1] as Json;
    expect(Object.keys(op('POST /pki/ocsp').requestBody.content)).toEqual(['application/ocsp-request']);
    expect(Object.keys(op('POST /pki/ocsp').responses['200'].content)).toEqual(['application/ocsp-response']);
    expect(Object.keys(op('GET /pki/ocsp/{request}').responses['200'].content)).toEqual(['application/ocsp-response']);
    expect(Object.keys(op('GET /pki/crl/{file}').responses['200'].content)).toEqual(['application/pkix-crl']);
    expect(Object.keys(op('GET /pki/ca/{file}').responses['200'].content)).toEqual(['application/pkix-cert', 'application/x-pem-file']);
    expect(Object.keys(op('POST /api/v1/documents').requestBody.content)).toEqual(['multipart/form-data', 'application/pdf', 'application/octet-stream']);
    expect(Object.keys(op('GET /api/v1/documents/{id}/content').responses['200'].content)).toEqual(['application/pdf']);
    expect(Object.keys(op('GET /api/v1/invalid-list/export.csv').responses['200'].content)).toEqual(['text/csv']);
    expect(op('POST /api/v1/certificates').parameters.map((x: Json) => x.name)).toContain('Idempotency-Key');
  });
});

