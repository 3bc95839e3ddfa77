/**
 * The batch jobs against the real PostgreSQL (the cert schema with all its migrations): the
 * 第二十条 scan agrees with libs/pki's rule case by case, the dry run changes nothing, the real
 * run revokes, records and writes one event per certificate in chunks; activity reports are all or
 * nothing; reminders go out once, counted on the real Chinese calendar. Time is injected (`now`);
 * the bus side (OCSP broadcast, CRLs, relay) is a recording stand-in, the e2e covers the real one.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import pino from 'pino';
import { loadConfig, ProblemError, requestContext } from '@ecert/common';
import { createServiceDataSource, dropDatabase, prepareServiceDatabase } from '@ecert/database';
import { InboxRecord, OutboxMessage, type OutboxRelay } from '@ecert/messaging';
import { invalidationReasonOf, type StoredCertificateStatus, newSerialNumber, serialKey } from '@ecert/pki';
import { ChineseWorkingCalendar, renewalWindowOpensOn } from '@ecert/workflow';
import { ACTIVITY_REPORT_MAX_ITEMS, natsPrefix, type CertificateInvalidatedData, type DomainEvent, type InvalidationReason } from '@ecert/contracts';
import { CERT_ENTITIES, CERT_MIGRATIONS } from '../cert-service.module';
import type { RevocationChangeNotifier } from '../revocation/revocation-change.notifier';
import { InvalidationRunner } from './invalidation/invalidation-runner.service';
import { invalidateChunkSql } from './invalidation/invalidation-rules.sql';
import { ReportActivityUseCase } from './activity/report-activity.use-case';
import { ActivityBuffer } from './activity/activity-buffer.service';
import { ReminderRunner } from './reminders/reminder-runner.service';
import { InvalidListQueries } from './invalidation/invalid-list.queries';
import { InvalidationJobs } from './invalidation/invalidation-jobs.service';
import { InvalidationRunEntity } from './invalidation/invalidation-run.entity';

const logger = pino({ level: 'silent' });
const config = loadConfig(process.env);
let ds: DataSource;
const changes: { caIds: string[]; serials: string[]; addsEntries: boolean }[] = [];
const notifier = { changed: async (caIds: string[], serials: string[], addsEntries = true) => void changes.push({ caIds, serials, addsEntries }) } as unknown as RevocationChangeNotifier;
const relay = { kick: () => undefined } as unknown as OutboxRelay;
let runner: InvalidationRunner;

const NOW = new Date('2026-12-01T04:00:00Z');
function monthsAgo(m: number, from = NOW): Date {
  const d = new Date(from);
  d.setUTCMonth(d.getUTCMonth() - m);
  return d;
}

beforeAll(async () => {
  ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'cert', entities: [OutboxMessage, InboxRecord, ...CERT_ENTITIES], migrations: CERT_MIGRATIONS });
  await prepareServiceDatabase(ds, 'cert');
  await ds.query(
    `INSERT INTO cert.ca (id, family, role, key_id, key_store, key_algorithm, certificate, subject, serial, not_before, not_after)
     VALUES ('sm2-issuing', 'sm2', 'issuing', 'k', 'soft', 'SM2', '\\x00', 'CN=x', '01', now(), now() + interval '1 day')`,
  );
  runner = new InvalidationRunner(ds, relay, config, logger, notifier);
});

afterAll(async () => {
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL, /^ecert_t[a-z0-9]+$/);
});

beforeEach(async () => {
  await ds.query('DELETE FROM cert.certificate_history');
  await ds.query('DELETE FROM cert.outbox');
  await ds.query('DELETE FROM cert.certificate');
  await ds.query('DELETE FROM cert.ukey_history');
  await ds.query('DELETE FROM cert.ukey');
  changes.length = 0;
});

interface Cert {
  status?: StoredCertificateStatus;
  region?: string;
  notBefore: Date;
  notAfter: Date;
  lastActivityAt?: Date | null;
  frozenAt?: Date | null;
  ukeySerial?: string | null;
}

async function insert(c: Cert): Promise<string> {
  const serial = serialKey(newSerialNumber());
  const status = c.status ?? 'active';
  await ds.query(
    `INSERT INTO cert.certificate (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name,
       not_before, not_after, der, status_changed_at, version, last_activity_at, frozen_at, revoked_at, revocation_reason, ukey_serial)
     VALUES ($1, 'sm2-issuing', 'unit', 'SM2', $2, 'CN=unit', '91450100MA5L000000', '4501000001', $3, '测试单位', $4, $5, '\\x00', $4, 1, $6, $7, $8, $9, $10)`,
    [serial, status, c.region ?? '450100', c.notBefore, c.notAfter, c.lastActivityAt ?? null, c.frozenAt ?? null, status === 'revoked' ? c.notBefore : null, status === 'revoked' ? 'superseded' : null, c.ukeySerial ?? null],
  );
  await ds.query(`INSERT INTO cert.certificate_history (serial, action, from_status, to_status) VALUES ($1, 'issue', NULL, 'active')`, [serial]);
  return serial;
}

async function damagedUkey(damagedAt: Date): Promise<string> {
  const serial = `UK-${randomBytes(4).toString('hex')}`;
  await ds.query(
    `INSERT INTO cert.ukey (serial, vendor, model, batch, delivered_on, state, application_id) VALUES ($1, 'v', 'm', 'b', '2024-01-01', 'damaged', gen_random_uuid())`,
    [serial],
  );
  await ds.query(`INSERT INTO cert.ukey_history (serial, action, from_state, to_state, at) VALUES ($1, 'report_damaged', 'in_use', 'damaged', $2)`, [serial, damagedAt]);
  return serial;
}

const ahead = monthsAgo(-12);

/** The cases of 第二十条 and their near misses; `expect` is what libs/pki says too. */
async function cases() {
  const ukeyOld = await damagedUkey(monthsAgo(25));
  const ukeyRecent = await damagedUkey(monthsAgo(23));
  const specs: [string, Cert][] = [
    ['used 23 months ago', { notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(23) }],
    ['idle 25 months', { notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(25), region: '450102' }],
    ['never used, issued 25 months ago', { notBefore: monthsAgo(25), notAfter: ahead, region: '440100' }],
    ['never used, issued 23 months ago', { notBefore: monthsAgo(23), notAfter: ahead }],
    ['frozen (lost) 25 months', { status: 'frozen', notBefore: monthsAgo(30), notAfter: ahead, frozenAt: monthsAgo(25), lastActivityAt: monthsAgo(26) }],
    ['frozen (lost) 23 months', { status: 'frozen', notBefore: monthsAgo(30), notAfter: ahead, frozenAt: monthsAgo(23), lastActivityAt: monthsAgo(26) }],
    ['expired 25 months ago', { notBefore: monthsAgo(40), notAfter: monthsAgo(25), lastActivityAt: monthsAgo(26) }],
    ['expired 3 months ago, idle since', { notBefore: monthsAgo(40), notAfter: monthsAgo(3), lastActivityAt: monthsAgo(30) }],
    ['UKey damaged 25 months ago', { notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(1), ukeySerial: ukeyOld }],
    ['UKey damaged 23 months ago', { notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(1), ukeySerial: ukeyRecent }],
    ['revoked long ago', { status: 'revoked', notBefore: monthsAgo(40), notAfter: ahead, lastActivityAt: monthsAgo(39) }],
  ];
  const out: { name: string; serial: string; expected: InvalidationReason | undefined; region: string }[] = [];
  for (const [name, c] of specs) {
    const serial = await insert(c);
    const expected = invalidationReasonOf(
      {
        status: c.status ?? 'active',
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        lastActivityAt: c.lastActivityAt ?? null,
        frozenAt: c.frozenAt ?? null,
        ukeyDamagedAt: c.ukeySerial === ukeyOld ? monthsAgo(25) : c.ukeySerial === ukeyRecent ? monthsAgo(23) : null,
      },
      NOW,
    );
    out.push({ name, serial, expected, region: c.region ?? '450100' });
  }
  return out;
}

describe('第二十条 invalidation run', () => {
  it('the dry run counts what libs/pki says, by region and reason, and changes nothing', async () => {
    const all = await cases();
    expect(all.filter((c) => c.expected).map((c) => [c.name, c.expected])).toEqual([
      ['idle 25 months', 'idle'],
      ['never used, issued 25 months ago', 'idle'],
      ['frozen (lost) 25 months', 'lost_unresolved'],
      ['expired 25 months ago', 'expired_unresolved'],
      ['UKey damaged 25 months ago', 'damaged_unresolved'],
    ]);
    const before = await ds.query('SELECT serial, status, version, updated_at FROM cert.certificate ORDER BY serial');
    const counts = await runner.dryRun(NOW);
    const expected = new Map<string, number>();
    for (const c of all.filter((x) => x.expected)) expected.set(`${c.region}|${c.expected}`, (expected.get(`${c.region}|${c.expected}`) ?? 0) + 1);
    expect(counts.map((c) => [`${c.regionCode}|${c.reason}`, c.count])).toEqual([...expected.entries()].sort());
    expect(await ds.query('SELECT serial, status, version, updated_at FROM cert.certificate ORDER BY serial')).toEqual(before);
    expect(await ds.query('SELECT count(*)::int AS n FROM cert.outbox')).toEqual([{ n: 0 }]);
  });

  it('the real run makes exactly those invalid with their reason, revoked for relying parties, with history and one event each, in chunks', async () => {
    const all = await cases();
    const chunks: [string, number][] = [];
    const before = new Date();
    const counts = await runner.run(NOW, { requestId: 'test-run', actor: { staffId: 'op-1', clientId: 'ops-console' }, chunkSize: 1, onChunk: (r, n) => void chunks.push([r, n]) });
    const after = new Date();
    expect(counts.reduce((n, c) => n + c.count, 0)).toBe(5);
    expect(chunks.every(([, n]) => n === 1)).toBe(true);
    const rows: { serial: string; status: string; invalid_reason: string | null; revocation_reason: string | null; revoked_at: Date | null }[] = await ds.query(
      'SELECT serial, status, invalid_reason, revocation_reason, revoked_at FROM cert.certificate',
    );
    const bySerial = new Map(rows.map((r) => [r.serial, r]));
    for (const c of all) {
      const r = bySerial.get(c.serial)!;
      if (c.expected) {
        expect(r, c.name).toMatchObject({ status: 'invalid', invalid_reason: c.expected, revocation_reason: c.expected === 'lost_unresolved' ? 'keyCompromise' : 'cessationOfOperation' });
        // When relying parties were told (the statement's clock), not the instant the run was queued for
        expect(r.revoked_at!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
        expect(r.revoked_at!.getTime()).toBeLessThanOrEqual(after.getTime());
      } else expect(r.status, c.name).not.toBe('invalid');
    }
    const events: { payload: DomainEvent<string, CertificateInvalidatedData>; lane: number; subject: string }[] = await ds.query(
      "SELECT payload, lane, subject FROM cert.outbox WHERE type = 'certificate.invalidated' ORDER BY seq",
    );
    expect(events).toHaveLength(5);
    for (const e of events) {
      const c = all.find((x) => x.serial === e.payload.data.serial)!;
      expect(e.lane).toBe(1);
      // the bulk lane's own subject: outside <prefix>.evt.>, so no ordinary consumer waits behind it
      expect(e.subject).toBe(`${natsPrefix}.bulk.v1.certificate.invalidated`);
      expect(e.payload).toMatchObject({ type: 'certificate.invalidated', aggregateId: c.serial, requestId: 'test-run', actor: { staffId: 'op-1', clientId: 'ops-console' } });
      const [row] = await ds.query('SELECT invalidated_at, revoked_at FROM cert.certificate WHERE serial = $1', [c.serial]);
      expect(row.invalidated_at).toEqual(row.revoked_at);
      expect(e.payload.data).toMatchObject({ status: 'invalid', invalidReason: c.expected, version: 2, invalidatedAt: row.invalidated_at.toISOString(), regionCode: c.region });
      expect(e.payload.id).toBe((await ds.query('SELECT id FROM cert.outbox WHERE aggregate_id = $1', [c.serial]))[0].id);
    }
    const history = await ds.query("SELECT serial, from_status, to_status, actor, client_id FROM cert.certificate_history WHERE action = 'invalidate'");
    expect(history).toHaveLength(5);
    expect(history.every((h: { actor: string; client_id: string }) => h.actor === 'op-1' && h.client_id === 'ops-console')).toBe(true);
    // OCSP after every chunk, the CRLs (complete and delta) once at the end
    expect(changes.filter((c) => !c.addsEntries).flatMap((c) => c.serials).sort()).toEqual(events.map((e) => e.payload.data.serial).sort());
    expect(changes.filter((c) => c.addsEntries)).toEqual([{ caIds: ['sm2-issuing'], serials: [], addsEntries: true }]);
    // again: nothing more is due
    expect(await runner.run(NOW, { requestId: 'again', actor: null })).toEqual([]);
    expect(await ds.query("SELECT count(*)::int AS n FROM cert.outbox WHERE type = 'certificate.invalidated'")).toEqual([{ n: 5 }]);
    // the invalid list shows them, filtered
    const national = new InvalidListQueries(ds);
    const list = { list: (q: Parameters<InvalidListQueries['list']>[0]) => requestContext.run({ requestId: 'r', regions: ['000000'] }, () => national.list(q)) };
    expect((await list.list({})).total).toBe(5);
    expect((await list.list({ region: '450000' })).items.map((i) => i.regionCode).sort()).toEqual(['450100', '450100', '450100', '450102']);
    expect((await list.list({ reason: 'idle', region: '440000' })).items).toHaveLength(1);
    // keyset pages of 2 walk the whole list once, in its order: nothing skipped, nothing twice
    const whole = (await list.list({ pageSize: 1000 })).items.map((i) => i.serial);
    const walked: string[] = [];
    let page = await list.list({ pageSize: 2, after: undefined });
    for (;;) {
      walked.push(...page.items.map((i) => i.serial));
      if (!page.next) break;
      page = await list.list({ pageSize: 2, after: page.next });
    }
    expect(walked).toEqual(whole);
    expect(new Set(walked).size).toBe(5);
    // a city's staff see their city only; no scope, nothing
    expect((await requestContext.run({ requestId: 'r', regions: ['440100'] }, () => national.list({}))).total).toBe(1);
    expect((await national.list({})).total).toBe(0);
  });
});

describe('第二十条 review cases', () => {
  it('an activity recorded before issuance never ages a certificate (GREATEST with not_before), in the dry run and the run', async () => {
    // issued a month ago, a (wrong) activity of 2020 on its row
    const fresh = await insert({ notBefore: monthsAgo(1), notAfter: ahead, lastActivityAt: new Date('2020-01-01T00:00:00Z') });
    expect(invalidationReasonOf({ status: 'active', notBefore: monthsAgo(1), notAfter: ahead, lastActivityAt: new Date('2020-01-01T00:00:00Z'), frozenAt: null }, NOW)).toBeUndefined();
    expect(await runner.dryRun(NOW)).toEqual([]);
    expect(await runner.run(NOW, { requestId: 'r', actor: null })).toEqual([]);
    expect((await ds.query('SELECT status FROM cert.certificate WHERE serial = $1', [fresh]))[0].status).toBe('active');
    // the idle scan is served by the new expression index
    await ds.query('SET enable_seqscan = off');
    const forced: { 'QUERY PLAN': string }[] = await ds.query(
      `EXPLAIN SELECT serial FROM cert.certificate c WHERE c.status = 'active' AND GREATEST(COALESCE(c.last_activity_at, c.not_before), c.not_before) <= $1 ORDER BY GREATEST(COALESCE(c.last_activity_at, c.not_before), c.not_before) LIMIT 5`,
      [monthsAgo(24)],
    );
    await ds.query('SET enable_seqscan = on');
    expect(forced.map((r) => r['QUERY PLAN']).join('\n')).toContain('certificate_idle_since_idx');
  });

  it('a certificate both lost and expired two years is lost_unresolved; a chunk of a later reason never takes it (precedence per chunk)', async () => {
    const both = await insert({ status: 'frozen', notBefore: monthsAgo(40), notAfter: monthsAgo(26), frozenAt: monthsAgo(25), lastActivityAt: monthsAgo(27) });
    // the expired_unresolved chunk on its own (as when a freeze held the row during the lost phase)
    const rows = await ds.transaction((m) =>
      m.query(invalidateChunkSql('expired_unresolved'), [monthsAgo(24), NOW, 10, 'expired_unresolved', 'cessationOfOperation', 'subj', 'r', null, 1, null, 'sm2-issuing']),
    );
    expect(rows).toEqual([]);
    await runner.run(NOW, { requestId: 'r', actor: null });
    expect((await ds.query('SELECT status, invalid_reason, revocation_reason FROM cert.certificate WHERE serial = $1', [both]))[0]).toEqual({
      status: 'invalid',
      invalid_reason: 'lost_unresolved',
      revocation_reason: 'keyCompromise',
    });
  });

  it('a run that fails part-way still rebuilds the CRLs of what it committed, and reports its counts chunk by chunk', async () => {
    await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(25) });
    await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(26) });
    const sofar: number[] = [];
    const err = await runner
      .run(NOW, {
        requestId: 'r',
        actor: null,
        chunkSize: 1,
        onChunk: (_r, _n, counts) => {
          sofar.push(counts.reduce((n, c) => n + c.count, 0));
          if (sofar.length === 1) throw new Error('database went away');
        },
      })
      .catch((e: Error) => e);
    expect((err as Error).message).toBe('database went away');
    expect(sofar).toEqual([1]);
    expect(await ds.query("SELECT count(*)::int AS n FROM cert.certificate WHERE status = 'invalid'")).toEqual([{ n: 1 }]);
    expect(changes.filter((c) => c.addsEntries)).toEqual([{ caIds: ['sm2-issuing'], serials: [], addsEntries: true }]);
  });
});

describe('the run record', () => {
  it('keeps the counts of the chunks a failed run committed, and its error', async () => {
    await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(25) });
    await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(26) });
    // the OCSP broadcast of the second chunk fails: the run stops after one committed chunk
    let calls = 0;
    const failing = { changed: async (caIds: string[], serials: string[], addsEntries = true) => {
      if (serials.length && ++calls === 2) throw new Error('bus gone');
      changes.push({ caIds, serials, addsEntries });
    } } as unknown as RevocationChangeNotifier;
    const small = { ...config, ECERT_BATCH_CHUNK_SIZE: 1 };
    const jobs = new InvalidationJobs(small, logger, ds, new InvalidationRunner(ds, relay, small, logger, failing));
    const id = randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    await ds.getRepository(InvalidationRunEntity).insert({ id, dryRun: false, trigger: 'operator', requestedBy: 'op-1', requestedByClient: null, requestId: 'r', asOf: NOW, queuedAt: NOW });
    await (jobs as unknown as { process: (job: { data: { runId: string } }) => Promise<void> }).process({ data: { runId: id } });
    const run = await ds.getRepository(InvalidationRunEntity).findOneByOrFail({ id });
    expect(run.error).toBe('bus gone');
    expect(run.total).toBe(2);
    expect(run.counts).toEqual([{ regionCode: '450100', reason: 'idle', count: 2 }]);
    expect(await ds.query("SELECT count(*)::int AS n FROM cert.certificate WHERE status = 'invalid'")).toEqual([{ n: 2 }]);
    // and the CRLs of what it committed were asked for
    expect(changes.filter((c) => c.addsEntries)).toEqual([{ caIds: ['sm2-issuing'], serials: [], addsEntries: true }]);
  });
});

describe('activity reports', () => {
  const report = new ReportActivityUseCase(undefined as never);
  const asClient = <T>(regions: string[], fn: () => Promise<T>) => requestContext.run({ requestId: 'r', regions }, fn);

  it('move the last activity forward, idempotently; a certificate reported 1 month ago is not idle', async () => {
    Object.assign(report, { ds });
    const idle = await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(25) });
    const at = monthsAgo(1).toISOString();
    const items = [{ serial: idle, at, kind: 'business_use' as const }, { serial: idle, at: monthsAgo(2).toISOString(), kind: 'business_use' as const }];
    expect(await requestContext.run({ requestId: 'r', regions: ['450000'], clientId: 'hrss-system' }, () => report.execute({ items }, NOW))).toEqual({ accepted: 2, advanced: 1 });
    expect(await asClient(['450000'], () => report.execute({ items }, NOW))).toEqual({ accepted: 2, advanced: 0 });
    const [row] = await ds.query('SELECT last_activity_at, last_activity_kind, last_activity_client FROM cert.certificate WHERE serial = $1', [idle]);
    // the reporting system is recorded with it
    expect(row).toEqual({ last_activity_at: new Date(at), last_activity_kind: 'business_use', last_activity_client: 'hrss-system' });
    expect(await runner.dryRun(NOW)).toEqual([]);
  });

  it('refuse unknown serials and serials of other regions by name, recording nothing', async () => {
    Object.assign(report, { ds });
    const ours = await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(25) });
    const theirs = await insert({ notBefore: monthsAgo(30), notAfter: ahead, region: '440100' });
    const unknown = serialKey(newSerialNumber());
    const at = monthsAgo(1).toISOString();
    const err = await asClient(['450000'], () =>
      report.execute({ items: [ours, theirs, unknown].map((serial) => ({ serial, at, kind: 'business_use' as const })) }, NOW),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect(err.toProblem()).toMatchObject({ status: 422, code: 'activity_unknown_serials', field: 'items', serials: [theirs, unknown] });
    const [row] = await ds.query('SELECT last_activity_at FROM cert.certificate WHERE serial = $1', [ours]);
    expect(row.last_activity_at).toEqual(monthsAgo(25));
  });

  it('from logins are buffered: the latest per certificate, one statement per flush, never backwards', async () => {
    const buffer = new ActivityBuffer(ds, logger);
    const a = await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(2) });
    const b = await insert({ notBefore: monthsAgo(30), notAfter: ahead, lastActivityAt: monthsAgo(1) });
    const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
    buffer.record(a, 'certificate_login', daysAgo(15));
    buffer.record(a, 'certificate_login', daysAgo(45));
    buffer.record(b, 'certificate_login', monthsAgo(3)); // older than what b has
    const before = await ds.query('SELECT serial, last_activity_at FROM cert.certificate WHERE serial = ANY($1) ORDER BY serial', [[a, b]]);
    expect(before.find((r: { serial: string }) => r.serial === a).last_activity_at).toEqual(monthsAgo(2));
    await buffer.flush();
    const rows = await ds.query('SELECT serial, last_activity_at, last_activity_kind FROM cert.certificate WHERE serial = ANY($1)', [[a, b]]);
    expect(rows.find((r: { serial: string }) => r.serial === a)).toMatchObject({ last_activity_at: daysAgo(15), last_activity_kind: 'certificate_login' });
    expect(rows.find((r: { serial: string }) => r.serial === b)).toMatchObject({ last_activity_at: monthsAgo(1), last_activity_kind: null });
  });

  it('refuse bad items, naming the field, and oversized reports', async () => {
    Object.assign(report, { ds });
    const serial = await insert({ notBefore: monthsAgo(3), notAfter: ahead });
    const fieldOf = (items: unknown) => asClient(['000000'], () => report.execute({ items } as never, NOW)).then(() => 'accepted', (e: ProblemError) => `${e.status} ${e.field}`);
    expect(await fieldOf([])).toBe('400 items');
    expect(await fieldOf([{ serial: 'xyz', at: NOW.toISOString(), kind: 'business_use' }])).toBe('400 items.0.serial');
    expect(await fieldOf([{ serial, at: NOW.toISOString(), kind: 'business_use' }, { serial, at: 'yesterday', kind: 'business_use' }])).toBe('400 items.1.at');
    expect(await fieldOf([{ serial, at: new Date(NOW.getTime() + 3_600_000).toISOString(), kind: 'business_use' }])).toBe('400 items.0.at');
    expect(await fieldOf([{ serial, at: NOW.toISOString(), kind: 'looked_at' }])).toBe('400 items.0.kind');
    // a system reports its own use only: the platform's observations are not taken from a caller
    for (const kind of ['certificate_login', 'seal_creation', 'document_signing', 'unlock', 'lifecycle']) {
      expect(await fieldOf([{ serial, at: NOW.toISOString(), kind }])).toBe('400 items.0.kind');
    }
    // before the certificate was issued (3 months ago), or older than the reporting window: named, nothing recorded
    expect(await fieldOf([{ serial, at: NOW.toISOString(), kind: 'business_use' }, { serial, at: monthsAgo(4).toISOString(), kind: 'business_use' }])).toBe('400 items.1.at');
    expect(await fieldOf([{ serial, at: new Date('2020-01-01T00:00:00Z').toISOString(), kind: 'business_use' }])).toBe('400 items.0.at');
    const young = await insert({ notBefore: new Date(NOW.getTime() - 10 * 86_400_000), notAfter: ahead });
    expect(await fieldOf([{ serial: young, at: new Date(NOW.getTime() - 20 * 86_400_000).toISOString(), kind: 'business_use' }])).toBe('400 items.0.at');
    expect((await ds.query('SELECT last_activity_at FROM cert.certificate WHERE serial = ANY($1)', [[serial, young]])).map((r: { last_activity_at: Date | null }) => r.last_activity_at)).toEqual([null, null]);
    expect(await fieldOf(Array.from({ length: ACTIVITY_REPORT_MAX_ITEMS + 1 }, () => ({ serial, at: NOW.toISOString(), kind: 'business_use' })))).toBe('400 items');
  });
});

describe('renewal reminders and expiry events', () => {
  const cal = new ChineseWorkingCalendar();
  const reminders = () => new ReminderRunner(ds, relay, config, logger);
  const local = (s: string) => new Date(`${s}+08:00`);

  it('a certificate entering its window (20 working days, National Day 2025) gets one renewal_due; an expired one one expired', async () => {
    const now = local('2025-09-16T09:00:00');
    const inWindow = await insert({ notBefore: local('2024-10-20T10:00:00'), notAfter: local('2025-10-20T10:00:00') });
    const nextDay = await insert({ notBefore: local('2024-10-21T10:00:00'), notAfter: local('2025-10-21T10:00:00') });
    const justExpired = await insert({ notBefore: local('2024-09-15T10:00:00'), notAfter: local('2025-09-15T10:00:00') });
    const longExpired = await insert({ notBefore: local('2023-01-01T10:00:00'), notAfter: local('2025-01-01T10:00:00') });
    expect(await reminders().run(now, cal, 1)).toEqual({ renewalDue: 1, expired: 1, calendarIncomplete: false });
    const events: { type: string; aggregate_id: string; subject: string; lane: number; payload: DomainEvent<string, Record<string, unknown>> }[] = await ds.query('SELECT type, aggregate_id, subject, lane, payload FROM cert.outbox ORDER BY seq');
    expect(events.map((e) => [e.type, e.aggregate_id])).toEqual([
      ['certificate.renewal_due', inWindow],
      ['certificate.expired', justExpired],
    ]);
    // The bulk lane, in the outbox and on the bus: a day of reminders waits behind no freeze, and no freeze behind it.
    expect(events.map((e) => [e.subject, e.lane])).toEqual([
      [`${natsPrefix}.bulk.v1.certificate.renewal_due`, 1],
      [`${natsPrefix}.bulk.v1.certificate.expired`, 1],
    ]);
    expect(events[0]!.payload.data).toMatchObject({ serial: inWindow, windowOpensOn: '2025-09-16', status: 'active', version: 1 });
    expect(renewalWindowOpensOn(cal, local('2025-10-21T10:00:00')).opensOn).toBe('2025-09-17');
    expect(events[1]!.payload.data).toMatchObject({ serial: justExpired, status: 'expired' });
    // once: the same run again sends nothing; the next day the 21 October one is due
    expect(await reminders().run(now, cal)).toEqual({ renewalDue: 0, expired: 0, calendarIncomplete: false });
    expect(await reminders().run(local('2025-09-17T09:00:00'), cal)).toEqual({ renewalDue: 1, expired: 0, calendarIncomplete: false });
    expect((await ds.query("SELECT aggregate_id FROM cert.outbox WHERE type = 'certificate.renewal_due' ORDER BY seq"))[1].aggregate_id).toBe(nextDay);
    expect(await ds.query("SELECT count(*)::int AS n FROM cert.outbox WHERE aggregate_id = $1", [longExpired])).toEqual([{ n: 0 }]);
  });
});
