import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzParams } from '../support/fuzz';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';

/**
 * Issue 14: fast-check-generated JSON bodies (wrong types, deep nesting, huge strings, unicode,
 * prototype-pollution keys) against the POST routes that create things. Every answer must be a
 * 4xx problem+json, never a 5xx, and no row may appear anywhere.
 */
const ROUTES = ['/api/v1/certificates', '/api/v1/applications', '/api/v1/certificates/activity', '/api/v1/webhooks/subscriptions', '/api/v1/seals'];

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

/** Row count of every table of every service schema: "nothing was created" without naming tables. */
async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await p.db.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const out: Record<string, number> = {};
  for (const { s, t } of rows) {
    // The audit trail records refused writes too (by design): the one table that must grow.
    if (t === 'audit_log') continue;
    const r = await p.db.query<{ n: string }>(`SELECT count(*) AS n FROM "${s}"."${t}"`);
    out[`${s}.${t}`] = Number(r.rows[0]!.n);
  }
  return out;
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', '__defineGetter__'];
const key = fc.oneof(fc.constantFrom(...POLLUTION_KEYS, 'csr', 'type', 'subject', 'url', 'events', 'name', 'applicant', 'serial'), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '‮', '-----BEGIN CERTIFICATE REQUEST-----', 'https://127.0.0.1/', '../../etc/passwd', "'; DROP TABLE certificate; --"),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(key, tie('v'), { maxKeys: 6 })),
})).v;
/** Nesting far past any DTO (and past naive recursive validators). */
const deep = fc.integer({ min: 50, max: 5000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n));
/** A body that is raw JSON text, so `__proto__` stays an own key (JSON.stringify of an object would drop it). */
const body = fc.oneof(
  { weight: 6, arbitrary: json.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: deep },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...POLLUTION_KEYS), json).map(([k, v]) => `{"${k}": ${JSON.stringify(v) ?? 'null'}, "type": "personal"}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) }, // not JSON at all
);

describe('JSON bodies under fuzzing through the gateway', () => {
  it('regression: a body nested 3000 deep is a 400 naming the body (was a 500: class-transformer overflowed the stack)', async () => {
    for (const route of ROUTES) {
      const res = await fetch(p.baseUrl + route, { method: 'POST', headers: { 'x-api-key': p.apiKey!, 'content-type': 'application/json' }, body: '{"a":'.repeat(3000) + '1' + '}'.repeat(3000) });
      expect(res.status, route).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'validation_failed' });
    }
  });

  it('every answer is a 4xx problem+json and nothing is created', async () => {
    const before = await rowCounts();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (route, text) => {
        const res = await fetch(p.baseUrl + route, { method: 'POST', headers: { 'x-api-key': p.apiKey!, 'content-type': 'application/json' }, body: text });
        const answer = await res.text();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status, `${route} ${text.slice(0, 200)} -> ${answer.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${route} ${text.slice(0, 200)} -> ${answer.slice(0, 300)}`).toBeLessThan(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const problem = JSON.parse(answer);
        expect(problem.status).toBe(res.status);
        expect(typeof problem.type).toBe('string');
      }),
      { ...fuzzParams(300), interruptAfterTimeLimit: 240_000 },
    );
    // The gateway runs in this process: a polluted Object.prototype would show here.
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    expect([...seen.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  }, 300_000);
});
