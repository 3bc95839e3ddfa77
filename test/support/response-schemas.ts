import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';
import { RESPONSE_TYPES_FILE } from '../../apps/gateway/src/openapi/response-types';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GENERATED_SCHEMAS_FILE = fileURLToPath(new URL('../../apps/gateway/src/openapi/response-schemas.generated.ts', import.meta.url));

type Schema = Record<string, unknown>;

/** A component name OpenAPI accepts (`^[A-Za-z0-9._-]+$`): Page<CertificateView> → Page_CertificateView. */
const componentName = (name: string) => name.replace(/[<>, ]+/g, (m) => (m.includes('>') ? '' : '_'));

function rewriteRefs(node: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, rename));
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' ? `#/components/schemas/${rename(decodeURIComponent(v.replace('#/definitions/', '')))}` : rewriteRefs(v, rename);
  }
  return out;
}

/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of every member of ResponseTypes, under
 * the member's name, and of every type they reference, keyed by component name.
 */
export function generateResponseSchemas(): Record<string, Schema> {
  const generator = createGenerator({
    path: `${ROOT}${RESPONSE_TYPES_FILE}`,
    tsconfig: `${ROOT}tsconfig.json`,
    type: 'ResponseTypes',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    skipTypeCheck: true,
    // Answers may gain fields: the document does not promise there are no others.
    additionalProperties: true,
  });
  const root = generator.createSchema('ResponseTypes');
  const definitions = root.definitions as Record<string, Schema>;
  const members = (definitions.ResponseTypes!.properties ?? {}) as Record<string, Schema>;
  const target = (s: Schema) => (typeof s.$ref === 'string' ? decodeURIComponent(s.$ref.replace('#/definitions/', '')) : undefined);
  // A member naming a generic instantiation (CertificatePage: Page<CertificateView>) gives it its name.
  const renamed = new Map<string, string>();
  for (const [name, s] of Object.entries(members)) {
    const t = target(s);
    if (t && t !== name && t.includes('<')) renamed.set(t, name);
  }
  const rename = (n: string) => renamed.get(n) ?? componentName(n);
  const out: Record<string, Schema> = {};
  for (const [name, s] of Object.entries(definitions)) if (name !== 'ResponseTypes') out[rename(name)] = rewriteRefs(s, rename) as Schema;
  for (const [name, s] of Object.entries(members)) {
    const t = target(s);
    if (t && rename(t) === name) continue;
    // An inline member (CaList: CaView[]) or an alias of another name: its own component.
    if (out[name]) throw new Error(`ResponseTypes.${name} clashes with the type of that name`);
    out[name] = rewriteRefs(s, rename) as Schema;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function renderGeneratedSchemasFile(schemas: Record<string, Schema>): string {
  return [
    '// Generated from the types named in response-types.ts by test/support/response-schemas.ts: do not edit.',
    '// Regenerate after changing a response type: ECERT_WRITE_OPENAPI_SCHEMAS=1 npx vitest run test/e2e/openapi.e2e-spec.ts',
    '/* eslint-disable */',
    'export const RESPONSE_SCHEMAS: Record<string, Record<string, unknown>> = ' + JSON.stringify(schemas, null, 2) + ';',
    '',
  ].join('\n');
}

/** Whether the committed file is what the types say now; with ECERT_WRITE_OPENAPI_SCHEMAS=1 it is rewritten first. */
export function generatedSchemasUpToDate(): { upToDate: boolean; expected: string } {
  const expected = renderGeneratedSchemasFile(generateResponseSchemas());
  if (process.env.ECERT_WRITE_OPENAPI_SCHEMAS === '1') writeFileSync(GENERATED_SCHEMAS_FILE, expected);
  let current = '';
  try {
    current = readFileSync(GENERATED_SCHEMAS_FILE, 'utf8');
  } catch {
    /* not written yet */
  }
  return { upToDate: current === expected, expected };
}
