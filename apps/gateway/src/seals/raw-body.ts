import type { Request } from 'express';
import { ProblemCode, ProblemError } from '@ecert/common';

/** True when the request carries JSON (parsed by the global body parser). */
export function isJsonRequest(req: Request): boolean {
  return !!req.is('application/json') || !!req.is('application/*+json');
}

/**
 * The body of a non-JSON request (a DER seal, a JPEG scan…), read here because the global parser
 * only takes JSON; at most `limit` bytes, else 413 without reading the rest.
 */
export async function readRawBody(req: Request, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return checkSize(req.body, limit);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (req.readableEnded) return Buffer.alloc(0);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (e) => !failed && reject(ProblemError.badRequest(ProblemCode.validationFailed, 'body', `the request body could not be read: ${e.message}`)));
  });
}

function checkSize(b: Buffer, limit: number): Buffer {
  if (b.length > limit) throw tooLarge(limit);
  return b;
}

function tooLarge(limit: number): ProblemError {
  return new ProblemError(413, ProblemCode.bodyTooLarge, '请求体过大 (request body too large)', `The request body exceeds ${limit} bytes`, 'body');
}

/** A raw body that is base64 text rather than DER: decoded; DER (or anything else) as is. */
export function derOrBase64(body: Buffer): Buffer {
  if (!body.length || body[0] === 0x30) return body;
  const text = body.toString('latin1').trim();
  return /^[A-Za-z0-9+/=\s]+$/.test(text) ? Buffer.from(text.replace(/\s+/g, ''), 'base64') : body;
}
