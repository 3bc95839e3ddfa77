import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ocspErrorResponse, OcspRequestError, parseOcspRequest } from '@ecert/pki';
import { Subjects } from '@ecert/contracts';
import type { RpcClient } from '../rpc/rpc-client.service';
import type { OcspCache } from './ocsp-cache.service';

const MAX_REQUEST = 16 * 1024;
const OCSP_RESPONSE = 'application/ocsp-response';

/**
 * RFC 6960 responder endpoint (POST with application/ocsp-request, or GET with the base64 request
 * in the path, appendix A.1). Runs as plain Express middleware ahead of Nest's router: it is the
 * hottest public path and answers in DER, never in JSON.
 */
export function createOcspMiddleware(rpc: RpcClient, cache: OcspCache, logger: Logger) {
  const send = (res: Response, der: Uint8Array, maxAgeSeconds = 0) => {
    res.status(200).setHeader('Content-Type', OCSP_RESPONSE);
    if (maxAgeSeconds > 0) res.setHeader('Cache-Control', `max-age=${maxAgeSeconds}, public, no-transform, must-revalidate`);
    else res.setHeader('Cache-Control', 'no-cache');
    res.end(Buffer.from(der));
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    let body: Buffer;
    if (req.method === 'POST') {
      body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    } else if (req.method === 'GET' && req.path.length > 1) {
      const encoded = decodeURIComponent(req.path.slice(1));
      body = Buffer.from(encoded, 'base64');
    } else {
      return next();
    }
    if (!body.length || body.length > MAX_REQUEST) return send(res, ocspErrorResponse('malformedRequest'));
    let serials: string[];
    let cacheable: boolean;
    try {
      const parsed = parseOcspRequest(body);
      serials = parsed.certIds.map((c) => c.serialKey).filter((s): s is string => !!s);
      cacheable = !parsed.nonce;
    } catch (e) {
      if (e instanceof OcspRequestError) return send(res, ocspErrorResponse('malformedRequest'));
      throw e;
    }
    const key = cacheable ? body.toString('base64') : undefined;
    if (key) {
      const hit = cache.get(key);
      if (hit) return send(res, hit, 60);
    }
    try {
      const r = await rpc.call<{ base64: string; cacheableUntil?: number }>(Subjects.cert.ocsp, { requestBase64: body.toString('base64') });
      const der = Buffer.from(r.base64, 'base64');
      if (key && r.cacheableUntil) cache.set(key, der, r.cacheableUntil, serials);
      send(res, der, key && r.cacheableUntil ? 60 : 0);
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'OCSP responder unavailable');
      send(res, ocspErrorResponse('tryLater'));
    }
  };
}
