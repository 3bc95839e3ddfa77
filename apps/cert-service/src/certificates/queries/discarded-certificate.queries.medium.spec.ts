/**
 * DiscardedCertificateQueries against the real PostgreSQL: newest first, every row once when walked
 * by `after` (rows signed within the same millisecond included), within the caller's regions, and
 * its filters; a bad filter is a problem naming the field.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadConfig, ProblemError, requestContext } from '@ecert/common';
import type { DiscardedCertificatesQuery } from '@ecert/contracts';
import { dropDatabase } from '@ecert/database';
import { certSchemaForTests } from '../../testing/cert-schema-for-tests';
import { DiscardedCertificateQueries } from './discarded-certificate.queries';

const config = loadConfig(process.env);
let ds: DataSource;
let queries: DiscardedCertificateQueries;
const T0 = Date.parse('2026-12-01T08:00:00.000Z');

const national = <T>(fn: () => Promise<T>) => requestContext.run({ requestId: 'spec', regions: ['000000'] }, fn);
const regional = <T>(regions: string[], fn: () => Promise<T>) => requestContext.run({ requestId: 'spec', regions }, fn);

async function insert(serial: string, signedAt: string, regionCode: string, caId = 'ecdsa-issuing'): Promise<void> {
  await ds.query(
    `INSERT INTO cert.discarded_certificate (serial, ca_id, command, reason, region_code, tbs_der, tbs_sha256, certificate_sha256, signed_at)
     VALUES ($1, $2, 'issue', 'certificate_limit_reached', $3, '\\x30', 'aa', 'bb', $4::timestamptz)`,
    [serial, caId, regionCode, signedAt],
  );
}

const serials: string[] = [];

beforeAll(async () => {
  ds = await certSchemaForTests(config.DATABASE_URL, 2, { caId: 'ecdsa-issuing', family: 'ecdsa', keyAlgorithm: 'P-256' });
  queries = new DiscardedCertificateQueries(ds);
  // Seven rows: three signed within one millisecond (microseconds apart), one in Shandong.
  const times = ['08:00:00.000100', '08:00:00.000200', '08:00:00.000300', '08:00:01.000000', '08:00:02.000000', '08:00:03.000000'];
  for (const [i, t] of times.entries()) {
    const serial = randomBytes(16).toString('hex');
    serials.push(serial);
    await insert(serial, `2026-12-01T${t}Z`, i === 4 ? '370100' : '450102');
  }
  await insert(randomBytes(16).toString('hex'), '2026-12-01T08:00:04Z', '450102', 'sm2-issuing');
});

afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

async function walk(q: DiscardedCertificatesQuery, regions = ['000000']): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await regional(regions, () => queries.list({ ...q, pageSize: 2, ...(after ? { after } : {}) }));
    out.push(...page.items.map((x) => x.serial));
    if (!page.next) return out;
    after = page.next;
  }
  throw new Error('did not end');
}

describe('DiscardedCertificateQueries', () => {
  it('walks every row once, newest first, rows of one millisecond included', async () => {
    expect(await walk({ caId: 'ecdsa-issuing' })).toEqual([...serials].reverse());
    const first = await national(() => queries.list({ caId: 'ecdsa-issuing', pageSize: 4 }));
    expect(first.total).toBe(6);
    expect(first.items.map((x) => x.signedAt)).toEqual(['2026-12-01T08:00:03.000Z', '2026-12-01T08:00:02.000Z', '2026-12-01T08:00:01.000Z', '2026-12-01T08:00:00.000Z']);
  });

  it('shows a regional caller its regions only, and filters by region, CA and time', async () => {
    expect(await walk({ caId: 'ecdsa-issuing' }, ['370000'])).toEqual([serials[4]]);
    expect(await walk({ caId: 'ecdsa-issuing' }, ['450100'])).toEqual([...serials].reverse().filter((s) => s !== serials[4]));
    expect(await walk({ region: '370000' })).toEqual([serials[4]]);
    expect((await walk({})).length).toBe(7);
    expect(await walk({ caId: 'ecdsa-issuing', since: new Date(T0 + 1000).toISOString(), until: new Date(T0 + 3000).toISOString() })).toEqual([serials[4], serials[3]]);
  });

  it('refuses a bad filter or cursor, naming the field', async () => {
    for (const [q, field] of [
      [{ since: 'yesterday' }, 'since'],
      [{ until: 12 }, 'until'],
      [{ until: '2026-12-01T08:00:00' }, 'until'],
      [{ caId: 'ECDSA ISSUING' }, 'caId'],
      [{ region: '999999' }, 'region'],
      [{ after: 'bm90IGEgY3Vyc29y' }, 'after'],
      [{ pageSize: 1000 }, 'pageSize'],
    ] as [DiscardedCertificatesQuery, string][]) {
      const e = await national(() => queries.list(q)).catch((x: unknown) => x);
      expect(e, JSON.stringify(q)).toBeInstanceOf(ProblemError);
      expect((e as ProblemError).field, JSON.stringify(q)).toBe(field);
    }
  });
});
