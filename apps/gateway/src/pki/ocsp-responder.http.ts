import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ocspErrorResponse, OcspRequestError, parseOcspRequest, type OcspRequest } from '@ecert/pki';
import { Subjects } from '@ecert/contracts';
import { ServiceMetrics } from '@ecert/messaging';
import type { RpcClient } from '../rpc/rpc-client.service';
import type { OcspCache } from './ocsp-cache.service';
import type { OcspNonceAnswerer } from './ocsp-nonce-answerer.service';
import { decodeOcspGetPath } from './ocsp-get-request';
import { PROBLEM_TITLES, ProblemCode, ProblemError } from '@ecert/common';
import { requestIdFor } from '../request-context/request-id.middleware';
import { declareRawRoutes, type RawRoute } from '../openapi/raw-routes';

const MAX_REQUEST = 16 * 1024;
const OCSP_PATH = '/pki/ocsp';

/** What the responder answers (described in openapi/raw-paths.ts). */
export const OCSP_ROUTES: readonly RawRoute[] = [
  { method: 'post', path: OCSP_PATH },
  { method: 'get', path: `${OCSP_PATH}/{request}` },
];

/**
 * RFC 6960 responder endpoint (POST with application/ocsp-request, or GET with the base64 request
 * in the path, appendix A.1). It is the hottest public path and answers in DER, never JSON, so it
 * runs on the bare HTTP server ahead of Express: routing, middleware and body parsers would cost
 * more than the answer itself.
 */
export function installOcspResponder(server: Server, rpc: RpcClient, cache: OcspCache, nonces: OcspNonceAnswerer, logger: Logger, httpMaxAgeSeconds = 0): void {
  const [express] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url === OCSP_PATH || url.startsWith(`${OCSP_PATH}/`) || url.startsWith(`${OCSP_PATH}?`)) {
      handle(req, res, rpc, cache, nonces, logger, httpMaxAgeSeconds).catch((e) => {
        logger.error({ err: (e as Error).message }, 'OCSP handler failed');
        if (!res.headersSent) send(res, ocspErrorResponse('internalError'));
      });
      return;
    }
    express(req, res);
  };
  server.on('request', declareRawRoutes(listener, OCSP_ROUTES));
}

/**
 * HTTP caches between us and a relying party cannot be told of a freeze, so by default answers
 * say `no-cache` (a freeze takes effect at once for everyone). A deployment that fronts OCSP with
 * a CDN may allow OCSP_HTTP_MAX_AGE_SECONDS of staleness, never beyond the answer's own cacheability.
 */
function send(res: ServerResponse, der: Uint8Array, maxAgeSeconds = 0): void {
  res.writeHead(200, {
    'Content-Type': 'application/ocsp-response',
    'Content-Length': der.length,
    'Cache-Control': maxAgeSeconds > 0 ? `max-age=${maxAgeSeconds}, public, no-transform, must-revalidate` : 'no-cache',
  });
  res.end(der);
}

/**
 * A method RFC 6960 has no OCSP answer for is an HTTP-level error: a problem like the rest of the
 * gateway's (a malformed or oversized request keeps its OCSP answer, malformedRequest).
 */
function methodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  req.resume(); // whatever body came is not read
  const requestId = requestIdFor(req.headers['x-request-id']);
  const error = new ProblemError(405, ProblemCode.methodNotAllowed, PROBLEM_TITLES.method_not_allowed, `${req.method} is not a method of ${OCSP_PATH}: use GET or POST (RFC 6960 appendix A.1)`);
  const body = JSON.stringify({ ...error.toProblem(requestId), instance: OCSP_PATH });
  res.writeHead(405, { Allow: 'GET, POST', 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Request-Id': requestId });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The gateway's own OCSP cache, counted like the responder's (same family, service="gateway"). */
const gatewayOcspLookups = () => ServiceMetrics.of('gateway').counter('ecert_ocsp_cache_lookups_total', 'Cache lookups of nonce-less OCSP requests, by result (hit, miss)', ['result']);

async function handle(req: IncomingMessage, res: ServerResponse, rpc: RpcClient, cache: OcspCache, nonces: OcspNonceAnswerer, logger: Logger, httpMaxAge: number): Promise<void> {
  let body: Buffer | undefined;
  if (req.method === 'POST') {
    body = await readBody(req);
  } else if (req.method === 'GET') {
    body = decodeOcspGetPath((req.url ?? '').slice(OCSP_PATH.length + 1));
  } else {
    return methodNotAllowed(req, res);
  }
  if (!body?.length || body.length > MAX_REQUEST) return send(res, ocspErrorResponse('malformedRequest'));
  const key = body.toString('base64');
  const hit = cache.get(key);
  if (hit) {
    gatewayOcspLookups().inc({ result: 'hit' });
    return send(res, hit.der, Math.min(httpMaxAge, hit.remainingSeconds));
  }

  let serials: string[];
  let cacheable: boolean;
  let parsed: OcspRequest;
  try {
    parsed = parseOcspRequest(body);
    serials = parsed.certIds.map((c) => c.serialKey).filter((s): s is string => !!s);
    cacheable = !parsed.nonce;
    // Requests with a nonce are never cached anywhere: they are no miss of the cache.
    if (cacheable) gatewayOcspLookups().inc({ result: 'miss' });
  } catch (e) {
    if (e instanceof OcspRequestError) return send(res, ocspErrorResponse('malformedRequest'));
    throw e;
  }
  try {
    // With a nonce: signed here with this gateway's delegated key when it can, else by the cert-service.
    const local = cacheable ? undefined : await nonces.answer(parsed);
    if (local) return send(res, local);
    const generation = cache.generation;
    const r = await rpc.call<{ base64: string; cacheableUntil?: number }>(Subjects.cert.ocsp, { requestBase64: key });
    const der = Buffer.from(r.base64, 'base64');
    if (cacheable && r.cacheableUntil) cache.set(key, der, r.cacheableUntil, serials, generation);
    send(res, der, cacheable && r.cacheableUntil ? Math.min(httpMaxAge, Math.floor((r.cacheableUntil - Date.now()) / 1000)) : 0);
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'OCSP responder unavailable');
    send(res, ocspErrorResponse('tryLater'));
  }
}
