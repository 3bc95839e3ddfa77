import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestException, HttpException, ParseIntPipe, ParseUUIDPipe } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { faultDetail, PROBLEM_TITLES, PROBLEM_TYPE_BASE, ProblemError } from '@ecert/common';
import { natsPrefix, Subjects } from '@ecert/contracts';
import { connectNats } from '@ecert/messaging';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { multipartBody } from '../support/multipart-body';
import { ClientsService } from '../../apps/gateway/src/clients/clients.service';
import { RpcClient } from '../../apps/gateway/src/rpc/rpc-client.service';
import { signStaffToken } from '../../apps/gateway/src/auth/staff-token';

/**
 * Issue 15: one problem format for every error the gateway returns, its own and the framework's.
 * Each path is hit through the real gateway (cert-service behind it; the seal-service is left
 * out, so its routes are "not running", and one of its subjects is answered by nobody in time).
 */
const DOCUMENT_MAX = 16 * 1024;
const TIMEOUT_MS = 1500;
let p: TestPlatform;
let nc: NatsConnection;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'], env: { DOCUMENT_MAX_BYTES: String(DOCUMENT_MAX), NATS_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
  // Someone listens on the seal-service's "get" and never answers: a timeout, not "not running".
  nc = await connectNats(p.config.NATS_URL, 'silent-seal');
  nc.subscribe(Subjects.seal.get, { callback: () => undefined });
  await nc.flush();
});
afterAll(async () => {
  await nc?.close();
  await p?.close();
  dir.remove();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(method: string, path: string, opts: { json?: unknown; body?: string | Buffer; type?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'x-api-key': p.apiKey!, ...opts.headers };
  let body: string | Buffer | undefined = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (opts.type) headers['content-type'] = opts.type;
  if (headers['x-api-key'] === '') delete headers['x-api-key'];
  const res = await fetch(p.baseUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/**
 * The whole shape: problem+json, type from the code, a title in Chinese with the English in
 * brackets (the code's common one where it has one), a detail, the request id of the response's
 * header, `field` exactly when one is at fault, and no framework class name or stack anywhere.
 */
function expectProblem(r: Answer, status: number, code: string, opts: { field?: string; detail?: RegExp | string; title?: string } = {}): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toBeTypeOf('object');
  expect(r.body.type).toBe(PROBLEM_TYPE_BASE + code);
  expect(r.body.status).toBe(status);
  expect(r.body.code).toBe(code);
  expect(r.body.title).toMatch(/^[^()]*[\u4e00-\u9fff][^()]*\([^()]*[A-Za-z][^()]*\)$/);
  const common = (PROBLEM_TITLES as Record<string, string>)[code];
  if (opts.title ?? common) expect(r.body.title).toBe(opts.title ?? common);
  expect(r.body.detail).toBeTypeOf('string');
  expect(r.body.detail.length).toBeGreaterThan(0);
  if (opts.detail instanceof RegExp) expect(r.body.detail).toMatch(opts.detail);
  else if (opts.detail !== undefined) expect(r.body.detail).toBe(opts.detail);
  const requestId = r.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  expect(r.body.requestId).toBe(requestId);
  if (opts.field === undefined) expect(r.body).not.toHaveProperty('field');
  else expect(r.body.field).toBe(opts.field);
  expect(r.text).not.toMatch(/Exception|HttpError|\bat .+\.(ts|js):\d+/);
  expect(r.body).not.toHaveProperty('stack');
}

const unit = () => ({ name: '南宁市某某科技有限公司', uscc: makeUscc('450100'), regionCode: '450100', accountNo: '4501000001' });

describe('framework errors', () => {
  it('an unknown route is 404 route_not_found, wherever it is', async () => {
    expectProblem(await call('GET', '/api/v1/no-such-thing'), 404, 'route_not_found', { detail: /GET \/api\/v1\/no-such-thing/ });
    expectProblem(await call('GET', '/nowhere'), 404, 'route_not_found');
    expectProblem(await call('GET', '/pki/nowhere'), 404, 'route_not_found');
  });

  it('a path with the wrong method is 405 method_not_allowed with Allow', async () => {
    const r = await call('DELETE', '/api/v1/certificates');
    expectProblem(r, 405, 'method_not_allowed', { detail: /DELETE/ });
    expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
    const freeze = await call('PUT', '/api/v1/certificates/00ab/freeze', { json: {} });
    expectProblem(freeze, 405, 'method_not_allowed');
    expect(freeze.headers.get('allow')).toBe('POST');
  });

  it('a body over the limit is 413 body_too_large naming body', async () => {
    expectProblem(await call('POST', '/api/v1/certificates', { json: { csr: 'x'.repeat(100_000) } }), 413, 'body_too_large', { field: 'body', detail: /65536 bytes/ });
  });

  it('a body that is not JSON is 400 malformed_json naming body', async () => {
    expectProblem(await call('POST', '/api/v1/certificates', { body: '{"profile": "unit",', type: 'application/json' }), 400, 'malformed_json', { field: 'body', detail: /not valid JSON/ });
  });

  it('a JSON body of another Content-Type, or charset, is 415 naming Content-Type', async () => {
    const text = await call('POST', '/api/v1/certificates', { body: JSON.stringify({ profile: 'unit' }), type: 'text/plain' });
    expectProblem(text, 415, 'unsupported_media_type', { field: 'Content-Type', detail: /application\/json, not text\/plain/ });
    // Refused before anything is done: not even the write-ahead audit record of an attempt.
    const audited = await p.db.query('SELECT count(*)::int AS n FROM gateway.audit_log WHERE request_id = $1', [text.body.requestId]);
    expect(audited.rows[0].n).toBe(0);
    const latin1 = await call('POST', '/api/v1/certificates', { body: '{}', type: 'application/json; charset=latin1' });
    expectProblem(latin1, 415, 'unsupported_media_type', { field: 'Content-Type' });
    const encoded = await call('POST', '/api/v1/certificates', { body: '{}', type: 'application/json', headers: { 'content-encoding': 'x-unknown' } });
    expectProblem(encoded, 415, 'unsupported_media_type', { field: 'Content-Encoding' });
  });

  it('a JSON array where an object is expected is 400 naming body', async () => {
    expectProblem(await call('POST', '/api/v1/certificates', { json: [{ profile: 'unit' }] }), 400, 'validation_failed', { field: 'body', detail: 'The body must be a JSON object' });
  });

  it('a malformed percent escape in the path is 400 naming path', async () => {
    expectProblem(await call('GET', '/api/v1/certificates/%E0%A4%A'), 400, 'validation_failed', { field: 'path' });
  });

  it("Nest's own HttpExceptions (pipes, guards) get a code and a bilingual title, never their class name", async () => {
    const rpc = p.gateway!.get(RpcClient);
    const original = rpc.call.bind(rpc);
    const failWith = async (error: unknown) => {
      rpc.call = (async () => {
        throw error;
      }) as typeof rpc.call;
      try {
        return await call('GET', '/api/v1/certificates/00ff');
      } finally {
        rpc.call = original;
      }
    };
    const parseInt = await new ParseIntPipe().transform('abc', { type: 'param', data: 'n' }).catch((e: unknown) => e);
    expectProblem(await failWith(parseInt), 400, 'validation_failed', { detail: /numeric string is expected/ });
    const parseUuid = await new ParseUUIDPipe().transform('abc', { type: 'param', data: 'id' }).catch((e: unknown) => e);
    expectProblem(await failWith(parseUuid), 400, 'validation_failed', { detail: /uuid is expected/ });
    expectProblem(await failWith(new BadRequestException()), 400, 'validation_failed');
    expectProblem(await failWith(new HttpException('too many', 429)), 429, 'rate_limited');
    // A 5xx one's text is anybody's: it is logged, not sent.
    expectProblem(await failWith(new HttpException('db password is hunter2', 502)), 502, 'service_unavailable', { detail: 'Unexpected error' });
    // Anything else unexpected: 500 internal_error, without its message or stack.
    const crash = await failWith(new TypeError("Cannot read properties of undefined (reading 'secretColumn') at /srv/ecert/x.ts:12"));
    expectProblem(crash, 500, 'internal_error', { detail: 'Unexpected error' });
    expect(crash.text).not.toContain('secretColumn');
  });
});

describe('validation: the expected type first, naming the field', () => {
  const base = () => ({ profile: 'unit', csr: opensslCsr(dir, 'p256').csr, unit: unit() });

  it('a number sent as a string says it must be an integer, before any range', async () => {
    expectProblem(await call('POST', '/api/v1/certificates', { json: { ...base(), validityDays: '30' } }), 400, 'validation_failed', { field: 'validityDays', detail: 'validityDays must be an integer number' });
    // The range still speaks when the type is right.
    expectProblem(await call('POST', '/api/v1/certificates', { json: { ...base(), validityDays: 5000 } }), 400, 'validation_failed', { field: 'validityDays', detail: 'validityDays must not be greater than 1095' });
  });

  it('a number for a string, an array for an object, a nested field by its path', async () => {
    expectProblem(await call('POST', '/api/v1/certificates', { json: { ...base(), csr: 12345 } }), 400, 'validation_failed', { field: 'csr', detail: 'csr must be a string' });
    expectProblem(await call('POST', '/api/v1/certificates', { json: { ...base(), unit: [unit()] } }), 400, 'validation_failed', { field: 'unit', detail: 'unit must be an object' });
    expectProblem(await call('POST', '/api/v1/certificates', { json: { ...base(), unit: { ...unit(), name: 42 } } }), 400, 'validation_failed', { field: 'unit.name', detail: 'unit.name must be a string' });
  });

  it('a boolean sent as "true" says it must be a boolean', async () => {
    const r = await call('POST', '/api/v1/ukeys/GX-UK-000001/transitions', { json: { action: 'report_damaged', nonHumanCause: 'true' } });
    expectProblem(r, 400, 'validation_failed', { field: 'nonHumanCause', detail: 'nonHumanCause must be a boolean value' });
  });

  it('a query number is converted from a plain decimal only', async () => {
    expect((await call('GET', '/api/v1/certificates?page=2&pageSize=5')).status).toBe(200);
    for (const page of ['abc', '', '1e1', '0x10']) {
      expectProblem(await call('GET', `/api/v1/certificates?page=${page}`), 400, 'validation_failed', { field: 'page', detail: 'page must be an integer number' });
    }
  });
});

describe('the serial of a 404', () => {
  it('is the serial as the caller sent it, leading zeros and all', async () => {
    expectProblem(await call('GET', '/api/v1/certificates/000abc'), 404, 'certificate_not_found', { detail: 'No certificate with serial 000abc', title: '证书不存在 (certificate not found)' });
    expectProblem(await call('POST', '/api/v1/certificates/00:0A:BC/freeze', { json: {} }), 404, 'certificate_not_found', { detail: 'No certificate with serial 00:0A:BC' });
  });
});

describe('access', () => {
  it('no credential is 401, an operation not granted 403, too many requests 429 with Retry-After', async () => {
    expectProblem(await call('GET', '/api/v1/certificates', { headers: { 'x-api-key': '' } }), 401, 'unauthorized');
    const clients = p.gateway!.get(ClientsService);
    const reader = await clients.register({ name: 'reader', department: 'tests', operations: ['certificates:read'], rateLimitPerSecond: 1 });
    expectProblem(await call('POST', '/api/v1/certificates', { json: {}, headers: { 'x-api-key': reader.apiKey } }), 403, 'forbidden');
    const answers = await Promise.all([1, 2, 3, 4].map(() => call('GET', '/api/v1/certificates', { headers: { 'x-api-key': reader.apiKey } })));
    const limited = answers.find((a) => a.status === 429);
    expect(limited, answers.map((a) => a.status).join(',')).toBeDefined();
    expectProblem(limited!, 429, 'rate_limited');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('uploads', () => {
  const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
  const upload = (parts: Parameters<typeof multipartBody>[0]) => {
    const f = multipartBody(parts);
    return call('POST', '/api/v1/documents', { body: f.body, type: f.contentType });
  };

  it('a file over the limit is 413 naming file', async () => {
    expectProblem(await upload([{ name: 'file', filename: 'big.pdf', type: 'application/pdf', data: Buffer.alloc(DOCUMENT_MAX + 1, 0x20) }]), 413, 'document_too_large', { field: 'file', title: '文件过大 (file too large)' });
  });

  it('two files, or a file under another name, is 400 naming file', async () => {
    const two = await upload([
      { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf },
      { name: 'file', filename: 'b.pdf', type: 'application/pdf', data: pdf },
    ]);
    expectProblem(two, 400, 'validation_failed', { field: 'file', detail: 'one file per upload' });
    expectProblem(await upload([{ name: 'attachment', filename: 'a.pdf', type: 'application/pdf', data: pdf }]), 400, 'validation_failed', { field: 'file', detail: /unexpected file part "attachment"/ });
  });

  it('a stray text part is 400 naming it', async () => {
    expectProblem(await upload([{ name: 'note', value: 'x' }, { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf }]), 400, 'validation_failed', { field: 'note' });
  });
});

describe('the queue board at /admin/queues', () => {
  async function staffToken(): Promise<string> {
    const k = opensslCsr(dir, 'p256');
    const cert = await call('POST', '/api/v1/certificates', { json: { profile: 'personal', csr: k.csr, unit: { ...unit(), accountNo: 'STAFF' }, person: { name: '管理员', idNumber: makeResidentId() } } });
    expect(cert.status, cert.text).toBe(201);
    const s = await call('POST', '/api/v1/staff', { json: { name: 'admin', role: 'admin', regionCode: '000000', certificateSerials: [cert.body.serial] } });
    expect(s.status, s.text).toBe(201);
    const now = Math.floor(Date.now() / 1000);
    return signStaffToken({ sub: s.body.id, role: 'admin', region: '000000', cert: cert.body.serial, iat: now, exp: now + 600 }, p.config.ECERT_TOKEN_SECRET);
  }

  it('refuses without a staff login (401) and client systems (403) as problems', async () => {
    expectProblem(await call('GET', '/admin/queues/api/queues', { headers: { 'x-api-key': '' } }), 401, 'unauthorized');
    expectProblem(await call('GET', '/admin/queues/api/queues', { headers: { 'x-api-key': '', authorization: 'Basic x' } }), 401, 'unauthorized');
    expectProblem(await call('GET', '/admin/queues/api/queues'), 403, 'forbidden');
  });

  it("answers Bull Board's own errors as problems too", async () => {
    const token = await staffToken();
    const headers = { 'x-api-key': '', authorization: `Bearer ${token}` };
    expect((await call('GET', '/admin/queues/api/queues', { headers })).status).toBe(200);
    expectProblem(await call('GET', '/admin/queues/api/queues/no-such-queue/1', { headers }), 404, 'not_found', { detail: /QUEUE_NOT_FOUND/ });
    expectProblem(await call('GET', '/admin/queues/api/no-such-route', { headers }), 404, 'route_not_found');
    expectProblem(await call('GET', '/admin/queues/%E0%A4%A', { headers }), 400, 'validation_failed', { field: 'path' });
  });
});

describe('the public PKI routes', () => {
  it('an unknown CA certificate is 404 ca_not_found', async () => {
    expectProblem(await call('GET', '/pki/ca/nope.crt', { headers: { 'x-api-key': '' } }), 404, 'ca_not_found', { title: 'CA 不存在 (CA not found)' });
  });

  it('OCSP keeps its OCSP answers (malformedRequest); a wrong method is a problem with Allow', async () => {
    const garbage = await fetch(`${p.baseUrl}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from('not DER') });
    expect(garbage.status).toBe(200);
    expect(garbage.headers.get('content-type')).toBe('application/ocsp-response');
    expect(Buffer.from(await garbage.arrayBuffer()).toString('hex')).toBe('30030a0101'); // malformedRequest
    const put = await call('PUT', '/pki/ocsp', { body: 'x', headers: { 'x-api-key': '', 'x-request-id': 'ocsp-put-1' } });
    expectProblem(put, 405, 'method_not_allowed', { detail: /RFC 6960/ });
    expect(put.body.requestId).toBe('ocsp-put-1');
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('the services behind the gateway', () => {
  it('a service that is not running is 503 service_unavailable, saying nothing of the bus', async () => {
    const r = await call('GET', '/api/v1/seals');
    expectProblem(r, 503, 'service_unavailable', { detail: faultDetail('service_unavailable', 503, undefined) });
    expect(r.text).not.toContain(natsPrefix);
    expect(r.headers.get('retry-after')).toBe('1');
  });

  it("a 5xx says its code's fixed text: no subject, host, port or stored state of whoever threw it", async () => {
    const stopped = await call('GET', '/api/v1/seals');
    const internal = /\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b|ECONN|\.v1\.|\bat .+:\d+|rpc\.|localhost/;
    expect(stopped.body.detail).not.toMatch(internal);
    expect(stopped.text).not.toMatch(/\bseal\b/);
    // A 500 thrown with internals in its detail (as a service's would be): the fixed text goes out.
    const rpc = p.gateway!.get(RpcClient);
    const original = rpc.call.bind(rpc);
    rpc.call = (async () => {
      throw new ProblemError(500, 'internal_error', PROBLEM_TITLES.internal_error, 'the stored region code 999999 of certificate abc is unknown (connect ECONNREFUSED 10.1.2.3:5432 on ecert.rpc.v1.cert.get)');
    }) as typeof rpc.call;
    try {
      const crash = await call('GET', '/api/v1/certificates/0123456789abcdef');
      expectProblem(crash, 500, 'internal_error', { detail: 'Unexpected error' });
      expect(crash.text).not.toMatch(internal);
      expect(crash.text).not.toContain('999999');
    } finally {
      rpc.call = original;
    }
  });

  it('a service that does not answer in time is 503 service_timeout', async () => {
    const started = Date.now();
    const r = await call('GET', '/api/v1/seals/00000000-0000-4000-8000-000000000000');
    expectProblem(r, 503, 'service_timeout', { detail: /may have been carried out.*same Idempotency-Key/ });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
  });
});
