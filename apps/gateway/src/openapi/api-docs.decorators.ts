import { SetMetadata } from '@nestjs/common';
import type { ResponseTypeName } from './response-types';

/**
 * What the OpenAPI document says of a route beyond what Nest's scanner finds. Only metadata: the
 * document is put together in one place (openapi-document.ts), which also derives what the route's
 * guard, interceptors and access metadata imply (security, generic problems, Idempotency-Key).
 */
export const API_ANSWER = 'ecert:openapi:answer';
export const API_PROBLEMS = 'ecert:openapi:problems';
export const API_UPLOAD = 'ecert:openapi:upload';
export const API_CREDENTIALS = 'ecert:openapi:credentials';

/** Response headers the document describes (openapi-document.ts holds their text). */
export type AnswerHeader = 'ETag' | 'Cache-Control' | 'Content-Disposition' | 'Content-Security-Policy' | 'Set-Cookie';

export type ApiAnswer =
  | { kind: 'json'; schema: ResponseTypeName; description?: string; headers?: AnswerHeader[]; alternatives?: Record<string, string> }
  | { kind: 'file'; mediaTypes: string[]; description: string; headers?: AnswerHeader[] }
  | { kind: 'empty'; description: string; headers?: AnswerHeader[] };

/** The 2xx answer is JSON of this schema (generated from the type the handler returns). */
export const ApiResult = (schema: ResponseTypeName, opts: { description?: string; headers?: AnswerHeader[]; alternatives?: Record<string, string> } = {}) =>
  SetMetadata(API_ANSWER, { kind: 'json', schema, ...opts } satisfies ApiAnswer);

/** The 2xx answer is a file (DER, PDF, CSV, PNG, HTML…) in one of these media types. */
export const ApiFile = (mediaTypes: string[], description: string, headers?: AnswerHeader[]) =>
  SetMetadata(API_ANSWER, { kind: 'file', mediaTypes, description, ...(headers ? { headers } : {}) } satisfies ApiAnswer);

/** Problem statuses a route may answer with; the codes are the stable `code` values. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 502 | 503;
export type ProblemSpec = Partial<Record<ProblemStatus, readonly string[]>>;

/**
 * The problems this route itself (its pipes, its services behind the bus) may answer with. Those
 * every route of its kind shares (authentication, rate limits, the bus, the audit trail,
 * Idempotency-Key) are added by the document builder and need not be listed.
 */
export const ApiProblems = (...specs: ProblemSpec[]) => SetMetadata(API_PROBLEMS, specs);

export function mergeProblems(...specs: ProblemSpec[]): ProblemSpec {
  const out: Partial<Record<ProblemStatus, string[]>> = {};
  for (const spec of specs) {
    for (const [status, codes] of Object.entries(spec) as [string, readonly string[]][]) {
      const list = (out[Number(status) as ProblemStatus] ??= []);
      for (const c of codes) if (!list.includes(c)) list.push(c);
    }
  }
  return out;
}

/**
 * A request body read by the handler itself (not Nest's JSON body): multipart form fields and/or
 * raw bodies of the listed media types, beside the JSON DTO the route may also take.
 */
export interface ApiUploadSpec {
  /** multipart/form-data parts: name → JSON Schema (a file part is { type: 'string', format: 'binary' }). */
  multipart?: { properties: Record<string, Record<string, unknown>>; required: string[] };
  /** Media types accepted as the raw body. */
  raw?: string[];
  description?: string;
}
export const ApiUpload = (spec: ApiUploadSpec) => SetMetadata(API_UPLOAD, spec);

/** The security schemes of the document (components.securitySchemes). */
export type CredentialScheme = 'apiKey' | 'staffBearer' | 'clientCertificate' | 'boardSession';

/** Only these credentials can succeed here (default: every credential the access guard takes). */
export const ApiCredentials = (...schemes: CredentialScheme[]) => SetMetadata(API_CREDENTIALS, schemes);
