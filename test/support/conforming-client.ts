import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Middleware } from 'openapi-fetch';
import { createEcertClient, type EcertClient, type EcertClientOptions } from '@ecert/client';

type Json = Record<string, any>;

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * @ecert/client with a check of every JSON answer against the document it was generated from:
 * the compiler trusts schema.d.ts, so an answer that differs from the document (a field missing,
 * of another type, or one the document does not name) would pass unseen. Object schemas of the
 * generated types are closed here (the served document leaves them open to new fields), so a field
 * the client cannot see fails too. A mismatch rejects the call, naming the operation and the field.
 */
export function conformingClientFactory(doc: Json): (options: EcertClientOptions) => EcertClient {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(closed(doc), 'openapi.json');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (method: string, schemaPath: string, status: number, mediaType: string): ValidateFunction | string => {
    const operation = doc.paths?.[schemaPath]?.[method] as Json | undefined;
    if (!operation) return `${method.toUpperCase()} ${schemaPath} is not in the document`;
    let pointer = `#/paths/${escape(schemaPath)}/${method}/responses/${status}`;
    let response = operation.responses?.[String(status)] as Json | undefined;
    if (!response) return `${method.toUpperCase()} ${schemaPath} answered ${status}, which the document does not list`;
    if (typeof response.$ref === 'string') {
      pointer = response.$ref;
      response = pointer.slice(2).split('/').reduce((n: Json, part) => n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    }
    if (!response?.content?.[mediaType]?.schema) return `${method.toUpperCase()} ${schemaPath} ${status} has no ${mediaType} schema in the document`;
    const ref = `openapi.json${pointer}/content/${escape(mediaType)}/schema`;
    let v = compiled.get(ref);
    if (!v) compiled.set(ref, (v = ajv.compile({ $ref: ref })));
    return v;
  };
  const check: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
      if (!/^application\/(problem\+)?json$/.test(mediaType)) return undefined;
      const v = validator(request.method.toLowerCase(), schemaPath, response.status, mediaType);
      const body: unknown = await response.clone().json();
      if (typeof v === 'string') throw new Error(`the OpenAPI document is wrong: ${v} (${JSON.stringify(body).slice(0, 300)})`);
      if (!v(body)) throw new Error(`the OpenAPI document is wrong: ${request.method} ${schemaPath} ${response.status} ${mediaType}: ${ajv.errorsText(v.errors)} (${JSON.stringify(body).slice(0, 600)})`);
      return undefined;
    },
  };
  return (options) => {
    const client = createEcertClient(options);
    client.use(check);
    return client;
  };
}

/**
 * The document with every generated object schema closed (no property it does not name), so an
 * answer or example with a misspelt field fails; Problem stays open (RFC 9457 extension members).
 * The served document leaves answers open to new fields.
 */
export function closed(d: Json): Json {
  const copy = structuredClone(d);
  const close = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(close);
    if (!node || typeof node !== 'object') return;
    const o = node as Json;
    if (o.type === 'object' && o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
    Object.values(o).forEach(close);
  };
  for (const name of Object.keys(copy.components?.schemas ?? {})) if (name !== 'Problem') close(copy.components.schemas[name]);
  return copy;
}
