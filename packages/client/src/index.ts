import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** A response type of the API by its schema name: `Schema<'ApplicationView'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** The answers the client types: JSON, and the problem+json errors (files are read with `parseAs`). */
export type EcertMedia = 'application/json' | 'application/problem+json';

export type EcertClient = Client<paths, EcertMedia>;

export interface EcertClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The gateway's address, e.g. https://ecert.example.cn (no trailing /api/v1: paths carry it). */
  baseUrl: string;
  /** A registered client system's key, sent as X-Api-Key. */
  apiKey?: string;
  /** A staff token from POST /api/v1/auth/login, sent as Authorization: Bearer. */
  token?: string;
}

/**
 * The typed ecert client: openapi-fetch over the paths of the gateway's OpenAPI document, with
 * the credential added to every request by a middleware (a call that sets the header itself wins).
 */
export function createEcertClient({ apiKey, token, ...options }: EcertClientOptions): EcertClient {
  if (apiKey && token) throw new Error('createEcertClient: give apiKey or token, not both (the gateway takes one credential per call)');
  const client = createClient<paths, EcertMedia>(options);
  client.use(credentials({ apiKey, token }));
  return client;
}

function credentials({ apiKey, token }: { apiKey?: string; token?: string }): Middleware {
  return {
    onRequest({ request }) {
      if (apiKey && !request.headers.has('x-api-key')) request.headers.set('x-api-key', apiKey);
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}

/**
 * A body serializer for the multipart/form-data uploads: the typed body object ({file, kind…})
 * as FormData (fetch then sets the boundary). Pass as `bodySerializer: multipart`.
 */
export function multipart(body: unknown): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (value instanceof Blob) form.append(name, value, value instanceof File ? value.name : name);
    else form.append(name, String(value));
  }
  return form;
}

/** A body serializer for the raw uploads (application/pdf, image/png…): the Blob as it is. */
export function raw(body: unknown): Blob {
  if (!(body instanceof Blob)) throw new TypeError('a raw upload body must be a Blob');
  return body;
}
