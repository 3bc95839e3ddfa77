/**
 * Seals follow their certificate whatever order its events are applied in, against the real
 * PostgreSQL (the seal schema and its migrations). The cert-service and the seal maker are
 * stand-ins: this is about ordering and refusals, the e2e covers the real services.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { newSerialNumber, serialKey } from '@ecert/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import pino from 'pino';
import { createServiceDataSource, dropDatabase, prepareServiceDatabase } from '@ecert/database';
import { ProblemError } from '@ecert/common';
import type { CertificateView, DomainEvent } from '@ecert/contracts';
import { InboxRecord, OutboxMessage } from '@ecert/messaging';
import { SEAL_MIGRATIONS } from '../seal-service.module';
import { SEAL_ENTITIES, SealEntity, SealImageEntity, type StoredSealStatus } from '../seals/seal.entities';
import type { CertServiceClient } from '../cert-client/cert-service.client';
import type { SealFactory, SealSpec } from '../seals/seal-factory.service';
import { inEventContext, SealLifecycle } from './seal-lifecycle.service';

const logger = pino({ level: 'silent' });
let ds: DataSource;
const certificates = new Map<string, CertificateView>();
const built: SealSpec[] = [];

const certs = {
  getCertificate: async (serial: string) => {
    const c = certificates.get(serial);
    if (!c) throw ProblemError.notFound('certificate_not_found', `No certificate with serial ${serial}`);
    return c;
  },
} as unknown as CertServiceClient;
const factory = {
  build: async (spec: SealSpec) => {
    built.push(spec);
    return new Uint8Array(randomBytes(64));
  },
  latestValidTo: async (notAfter: Date) => notAfter,
} as unknown as SealFactory;
const lifecycle = new SealLifecycle(certs, factory);

beforeAll(async () => {
  ds = createServiceDataSource({ url: process.env.DATABASE_URL!, schema: 'seal', entities: [OutboxMessage, InboxRecord, ...SEAL_ENTITIES], migrations: SEAL_MIGRATIONS });
  await prepareServiceDatabase(ds, 'seal');
});

afterAll(async () => {
  await ds?.destroy();
  // This file's own database (env.setup.ts names it per file): drop it whole.
  await dropDatabase(process.env.DATABASE_URL!, /^ecert_t[a-z0-9]+$/);
});

const serialHex = () => serialKey(newSerialNumber());
const DAY = 86_400_000;

function certificate(serial: string, over: Partial<CertificateView> & { uscc?: string; accountNo?: string } = {}): CertificateView {
  const { uscc = '91450100MA5L000000', accountNo = '4501000001', ...rest } = over;
  const c: CertificateView = {
    serial,
    caId: 'sm2-issuing',
    profile: 'unit',
    keyAlgorithm: 'SM2',
    status: 'active',
    subject: 'CN=测试单位',
    unit: { name: '测试单位', uscc, regionCode: '450100', accountNo },
    notBefore: new Date(Date.now() - DAY).toISOString(),
    notAfter: new Date(Date.now() + 300 * DAY).toISOString(),
    certificatePem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(serial).toString('base64')}\n-----END CERTIFICATE-----`,
    chainPem: [],
    ...rest,
  };
  certificates.set(serial, c);
  return c;
}

/** A seal bound to `serial`, stored as the seal-service would have made it. */
async function seal(serial: string, status: StoredSealStatus = 'active', uscc = '91450100MA5L000000', kind: 'official' | 'special' = 'special'): Promise<string> {
  const now = new Date();
  const imageId = randomUUID();
  await ds.getRepository(SealImageEntity).insert({
    id: imageId, sha256: 'x', png: Buffer.from('png'), bytes: 3, widthPx: 10, heightPx: 10, widthMm: 40, heightMm: 40, source: 'upload', createdAt: now,
  });
  const id = randomUUID();
  await ds.getRepository(SealEntity).insert({
    id, esId: id.replace(/-/g, ''), kind, purpose: kind === 'special' ? 'contract' : null, typeCode: kind === 'special' ? 4 : 1, name: '合同专用章', status,
    statusReason: null, statusChangedAt: now, additional: false, additionalReason: null, uscc, unitName: '测试单位', regionCode: '450100',
    certificateSerial: serial, certificateProfile: 'unit', certificateNotAfter: new Date(Date.now() + 300 * DAY), imageId,
    validFrom: new Date(Date.now() - DAY), validTo: new Date(Date.now() + 300 * DAY), der: Buffer.from('der'), derSha256: 'x', derBytes: 3,
    replaces: null, replacedBy: null, createdBy: 'test', createdAt: now, updatedAt: now,
  });
  return id;
}

let clock = Date.parse('2026-03-01T00:00:00Z');
function event(type: string, serial: string, version: number | undefined, extra: Record<string, unknown> = {}): DomainEvent {
  clock += 1000;
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date(clock).toISOString(),
    aggregateId: serial,
    data: { serial, caId: 'sm2-issuing', profile: 'unit', uscc: '91450100MA5L000000', accountNo: '4501000001', regionCode: '450100', status: 'x', notAfter: '', ...(version === undefined ? {} : { version }), ...extra },
  };
}

const apply = (e: DomainEvent) => ds.transaction((m) => lifecycle.apply(e, m, logger));
const statusOf = async (id: string) => (await ds.getRepository(SealEntity).findOneByOrFail({ id })).status;
const SEAL_OF: Record<string, StoredSealStatus> = { 'certificate.frozen': 'suspended', 'certificate.unfrozen': 'active', 'certificate.revoked': 'revoked' };

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('certificate events applied out of order', () => {
  it('a failed freeze, a later unfreeze, then the freeze redelivered: the seals stay active', async () => {
    const serial = serialHex();
    const id = await seal(serial);
    const freeze = event('certificate.frozen', serial, 2);
    const unfreeze = event('certificate.unfrozen', serial, 3);
    // the freeze's first delivery fails (its transaction rolls back): nothing of it remains
    await expect(ds.transaction(async (m) => {
      await lifecycle.apply(freeze, m, logger);
      throw new Error('consumer crashed');
    })).rejects.toThrow('consumer crashed');
    expect(await statusOf(id)).toBe('active');
    await apply(unfreeze);
    await apply(freeze); // redelivered
    expect(await statusOf(id)).toBe('active');
    const { rows } = await ds.query('SELECT status, version FROM seal.certificate_state WHERE serial = $1', [serial]).then((r) => ({ rows: r }));
    expect(rows[0]).toMatchObject({ status: 'active', version: 3 });
  });

  it('every delivery order of freeze, unfreeze, freeze, unfreeze (with redeliveries) ends as the newest event says', async () => {
    const kinds = ['certificate.frozen', 'certificate.unfrozen', 'certificate.frozen', 'certificate.unfrozen'] as const;
    for (const order of permutations([0, 1, 2, 3])) {
      const serial = serialHex();
      const id = await seal(serial);
      const events = kinds.map((k, v) => event(k, serial, v + 2));
      for (const i of order) await apply(events[i]!);
      await apply(events[order[0]!]!); // the first one again, last
      expect(await statusOf(id), `order ${order.join(',')}`).toBe(SEAL_OF[kinds[3]]);
    }
  }, 60_000);

  it('a revocation wins over any freeze or unfreeze delivered after it', async () => {
    for (const order of permutations([0, 1, 2])) {
      const serial = serialHex();
      const id = await seal(serial);
      const events = [event('certificate.frozen', serial, 2), event('certificate.unfrozen', serial, 3), event('certificate.revoked', serial, 4)];
      for (const i of order) await apply(events[i]!);
      expect(await statusOf(id), `order ${order.join(',')}`).toBe('revoked');
    }
  });

  it('an invalidation (第二十条) suspends the seals and wins over a freeze or unfreeze delivered after it', async () => {
    for (const order of permutations([0, 1, 2])) {
      const serial = serialHex();
      const id = await seal(serial);
      const events = [event('certificate.frozen', serial, 2), event('certificate.unfrozen', serial, 3), event('certificate.invalidated', serial, 4, { invalidReason: 'idle' })];
      for (const i of order) await apply(events[i]!);
      expect(await statusOf(id), `order ${order.join(',')}`).toBe('suspended');
      const [state] = await ds.query('SELECT status FROM seal.certificate_state WHERE serial = $1', [serial]);
      expect(state.status).toBe('invalid');
    }
  });

  it('events without a version (written before versions) are ordered by their time', async () => {
    const serial = serialHex();
    const id = await seal(serial);
    const freeze = event('certificate.frozen', serial, undefined);
    const unfreeze = event('certificate.unfrozen', serial, undefined);
    await apply(unfreeze);
    await apply(freeze);
    expect(await statusOf(id)).toBe('active');
    // a versioned event after them applies
    await apply(event('certificate.frozen', serial, 4));
    expect(await statusOf(id)).toBe('suspended');
  });
});

describe('renewal', () => {
  const renewed = (oldSerial: string, newSerial: string, extra: Record<string, unknown> = {}) =>
    event('certificate.renewed', newSerial, 1, { oldSerial, newSerial, oldVersion: 2, oldUscc: '91450100MA5L000000', oldAccountNo: '4501000001', newUscc: '91450100MA5L000000', newAccountNo: '4501000001', ...extra });

  it('gives each live seal a successor bound to the new certificate of the same unit', async () => {
    const oldSerial = serialHex();
    const newSerial = serialHex();
    certificate(oldSerial, { status: 'revoked' });
    certificate(newSerial, { replaces: oldSerial });
    const id = await seal(oldSerial);
    built.length = 0;
    await apply(renewed(oldSerial, newSerial));
    const old = await ds.getRepository(SealEntity).findOneByOrFail({ id });
    expect(old.status).toBe('retired');
    const next = await ds.getRepository(SealEntity).findOneByOrFail({ id: old.replacedBy! });
    expect(next).toMatchObject({ status: 'active', certificateSerial: newSerial, replaces: id });
    expect(built.map((b) => b.binding)).toEqual([{ sealId: next.id, certificateSerial: newSerial, uscc: '91450100MA5L000000', accountNo: '4501000001', purpose: 'renewal' }]);
  });

  it.each([
    ['the new certificate belongs to another unit', { uscc: '91370481MA3C000000' }, {}, /belongs to unit 91370481MA3C000000/],
    ['the new certificate belongs to another account of the unit', { accountNo: '4501000099' }, {}, /belongs to unit 91450100MA5L000000\/4501000099/],
    ['the cert-service does not record the renewal', { replaces: 'ffff' }, {}, /does not record certificate .* as the renewal of/],
    ['the event states another unit than the records', {}, { newUscc: '91370481MA3C000000' }, /the event says newUscc 91370481MA3C000000/],
  ] as const)('is refused and recorded when %s', async (_what, newOver, eventOver, reason) => {
    const oldSerial = serialHex();
    const newSerial = serialHex();
    certificate(oldSerial);
    certificate(newSerial, { replaces: oldSerial, ...newOver });
    const id = await seal(oldSerial);
    built.length = 0;
    const e = renewed(oldSerial, newSerial, eventOver);
    await apply(e);
    expect(built).toEqual([]); // the seal maker was never asked
    const old = await ds.getRepository(SealEntity).findOneByOrFail({ id });
    expect(old).toMatchObject({ status: 'active', replacedBy: null });
    expect(await ds.query('SELECT count(*)::int AS n FROM seal.seal WHERE certificate_serial = $1', [newSerial])).toEqual([{ n: 0 }]);
    const refusals = await ds.query('SELECT event_type, serial, reason FROM seal.certificate_event_refusal WHERE event_id = $1', [e.id]);
    expect(refusals).toEqual([{ event_type: 'certificate.renewed', serial: oldSerial, reason: expect.stringMatching(reason) }]);
    const history = await ds.query('SELECT action, from_status, to_status, event_id FROM seal.seal_history WHERE seal_id = $1', [id]);
    expect(history).toEqual([{ action: 'renewal-refused', from_status: 'active', to_status: 'active', event_id: e.id }]);
    // published for every consumer of events (the audit trail among them)
    const published = await ds.query("SELECT aggregate_id, payload FROM seal.outbox WHERE type = 'seal.renewal-refused' AND payload->'data'->>'causeEventId' = $1", [e.id]);
    expect(published).toEqual([{ aggregate_id: oldSerial, payload: expect.objectContaining({ data: { oldSerial, newSerial, sealIds: [id], reason: expect.stringMatching(reason), causeEventId: e.id, regionCode: '450100' } }) }]);
    // the old certificate's state is not touched by the refused event: seals can still be made for it
    expect(await ds.query('SELECT count(*)::int AS n FROM seal.certificate_state WHERE serial = ANY($1)', [[oldSerial, newSerial]])).toEqual([{ n: 0 }]);
  });

  it('is refused and recorded when the new certificate is unknown to the cert-service (a forged event)', async () => {
    const oldSerial = serialHex();
    certificate(oldSerial);
    const id = await seal(oldSerial);
    const e = renewed(oldSerial, serialHex());
    await apply(e);
    expect(await statusOf(id)).toBe('active');
    expect((await ds.query('SELECT reason FROM seal.certificate_event_refusal WHERE event_id = $1', [e.id]))[0].reason).toMatch(/knows no certificate/);
  });

  it('a renewal applied after the new certificate was frozen makes the successor suspended', async () => {
    const oldSerial = serialHex();
    const newSerial = serialHex();
    certificate(oldSerial, { status: 'revoked' });
    certificate(newSerial, { replaces: oldSerial, status: 'frozen' });
    const id = await seal(oldSerial);
    const renewal = renewed(oldSerial, newSerial);
    await apply(event('certificate.frozen', newSerial, 2)); // delivered first
    await apply(renewal);
    const old = await ds.getRepository(SealEntity).findOneByOrFail({ id });
    expect(old.status).toBe('retired');
    expect(await statusOf(old.replacedBy!)).toBe('suspended');
    // then the unfreeze: the successor follows
    certificates.set(newSerial, { ...certificates.get(newSerial)!, status: 'active' });
    await apply(event('certificate.unfrozen', newSerial, 3));
    expect(await statusOf(old.replacedBy!)).toBe('active');
  });

  it('a renewal whose new certificate is revoked already makes no successor and revokes the old seals', async () => {
    const oldSerial = serialHex();
    const newSerial = serialHex();
    certificate(oldSerial, { status: 'revoked' });
    certificate(newSerial, { replaces: oldSerial, status: 'revoked' });
    const id = await seal(oldSerial);
    built.length = 0;
    await apply(renewed(oldSerial, newSerial));
    expect(built).toEqual([]);
    expect(await statusOf(id)).toBe('revoked');
  });
});

describe('a batch of events (applyAll, the consumer under a burst)', () => {
  type Step = { type: string; at: number; cert: number; version?: number };
  /** Certificates 0–3 and their seals: 0 active, 1 suspended with no state yet, 2 active, 3 suspended behind a newer freeze. */
  const SEALS: { cert: number; status: StoredSealStatus }[] = [
    { cert: 0, status: 'active' },
    { cert: 1, status: 'suspended' },
    { cert: 2, status: 'active' },
    { cert: 3, status: 'suspended' },
  ];
  const t0 = Date.parse('2026-04-01T00:00:00Z');
  const STEPS: Step[] = [
    { type: 'certificate.issued', at: t0 + 1, cert: 0, version: 1 },
    { type: 'certificate.issued', at: t0 + 2, cert: 1, version: 1 },
    { type: 'certificate.frozen', at: t0 + 3, cert: 0, version: 2 },
    { type: 'certificate.issued', at: t0 + 4, cert: 2, version: 1 },
    { type: 'certificate.issued', at: t0 + 5, cert: 0, version: 1 }, // older than the freeze: ignored
    { type: 'certificate.issued', at: t0 + 6, cert: 1, version: 1 }, // the same news again: recorded again, moves nothing
    { type: 'certificate.issued', at: t0 + 7, cert: 2 }, // no version: ordered by its time
    { type: 'certificate.issued', at: t0 + 8, cert: 3, version: 1 }, // older than the freeze applied before the batch
    { type: 'certificate.unfrozen', at: t0 + 9, cert: 0, version: 3 },
    { type: 'certificate.issued', at: t0 + 10, cert: 0, version: 1 },
  ];

  async function scenario(order: readonly number[]) {
    const serials = [0, 1, 2, 3].map(() => serialHex());
    const seals = await Promise.all(SEALS.map((s) => seal(serials[s.cert]!, s.status)));
    const before = { ...event('certificate.frozen', serials[3]!, 3), occurredAt: new Date(t0).toISOString() };
    await apply(before);
    const events = order.map((i) => {
      const s = STEPS[i]!;
      return { ...event(s.type, serials[s.cert]!, s.version), occurredAt: new Date(s.at).toISOString() };
    });
    return { serials, seals, events };
  }

  async function outcome(serials: string[], seals: string[], events: DomainEvent[] = []) {
    // Event ids differ between the two runs: name each by its place in the delivery order.
    const step = (id: string | null) => (id === null ? null : events.findIndex((e) => e.id === id || `event:${e.id}` === id));
    const states = (await ds.query('SELECT serial, status, version, event_type, event_id, occurred_at FROM seal.certificate_state WHERE serial = ANY($1)', [serials])).map(
      (r: { event_id: string; occurred_at: Date }) => ({ ...r, event_id: step(r.event_id), occurred_at: r.occurred_at.toISOString() }),
    );
    const history = (await ds.query('SELECT seal_id, action, from_status, to_status, event_id, request_id FROM seal.seal_history WHERE seal_id = ANY($1) ORDER BY id', [seals])).map(
      (r: { event_id: string | null; request_id: string | null }) => ({ ...r, event_id: step(r.event_id), request_id: step(r.request_id) }),
    );
    const outbox = await ds.query(`SELECT type, aggregate_id FROM seal.outbox WHERE aggregate_id = ANY($1) ORDER BY seq`, [seals]);
    const bySerial = (serial: string) => serials.indexOf(serial);
    const bySeal = (id: string) => seals.indexOf(id);
    return {
      states: states.map((r: { serial: string }) => ({ ...r, serial: bySerial(r.serial) })).sort((a: { serial: number }, b: { serial: number }) => a.serial - b.serial),
      seals: await Promise.all(seals.map(statusOf)),
      history: history.map((r: { seal_id: string }) => ({ ...r, seal_id: bySeal(r.seal_id) })),
      outbox: outbox.map((r: { aggregate_id: string; type: string }) => `${bySeal(r.aggregate_id)} ${r.type}`),
    };
  }

  it('ends as the same events applied one by one, in every one of several delivery orders, in one batch or in batches of one', async () => {
    const orders = [STEPS.map((_, i) => i), STEPS.map((_, i) => STEPS.length - 1 - i)];
    // Shuffled reproducibly (a fixed-seed generator): a failing order is named in the message.
    let seed = 20261203;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 10; k++) {
      const order = [...STEPS.keys()];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      orders.push(order);
    }
    for (const order of orders) {
      const one = await scenario(order);
      // As the consumer applies an event alone: in its own request context.
      for (const e of one.events) await ds.transaction((m) => inEventContext(e, () => lifecycle.apply(e, m, logger)));
      const batch = await scenario(order);
      await ds.transaction((m) => lifecycle.applyAll(batch.events, m, logger));
      const expected = await outcome(one.serials, one.seals, one.events);
      expect(expected.history.every((h: { request_id: number | null }) => h.request_id !== null && h.request_id >= 0), 'history rows carry their event as request').toBe(true);
      expect(await outcome(batch.serials, batch.seals, batch.events), `order ${order.join(',')}`).toEqual(expected);
      // As a quiet stream delivers them: each a batch of one, the batch handler's way.
      const singles = await scenario(order);
      for (const e of singles.events) await ds.transaction((m) => lifecycle.applyAll([e], m, logger));
      expect(await outcome(singles.serials, singles.seals, singles.events), `order ${order.join(',')}, one at a time`).toEqual(expected);
    }
  }, 60_000);

  it('in delivery order: the suspended seal of a certificate announced as issued is reactivated, the frozen one stays as its newest event says', async () => {
    const { serials, seals, events } = await scenario(STEPS.map((_, i) => i));
    await ds.transaction((m) => lifecycle.applyAll(events, m, logger));
    const o = await outcome(serials, seals, events);
    expect(o.seals).toEqual(['active', 'active', 'active', 'suspended']);
    expect(o.states).toMatchObject([
      { serial: 0, status: 'active', version: 3, event_type: 'certificate.unfrozen', event_id: 8 },
      { serial: 1, status: 'active', version: 1, event_type: 'certificate.issued', event_id: 5 }, // the later of the two: the same position is re-recorded
      { serial: 2, status: 'active', version: null, event_type: 'certificate.issued', event_id: 6 },
      { serial: 3, status: 'frozen', version: 3, event_type: 'certificate.frozen', event_id: -1 }, // applied before the batch
    ]);
    expect(o.outbox).toEqual(['1 seal.reactivated', '0 seal.suspended', '0 seal.reactivated']);
  });

  it('a run of issued certificates with nothing to move writes their states and nothing else (no seal event: the relay is not kicked)', async () => {
    const serials = Array.from({ length: 50 }, serialHex);
    const wrote = await ds.transaction((m) => lifecycle.applyAll(serials.map((s) => event('certificate.issued', s, 1)), m, logger));
    expect(wrote).toBe(false);
    const rows = await ds.query('SELECT status, version FROM seal.certificate_state WHERE serial = ANY($1)', [serials]);
    expect(rows).toHaveLength(50);
    expect(rows.every((r: { status: string; version: number }) => r.status === 'active' && r.version === 1)).toBe(true);
  });

  it('rolls back with its transaction', async () => {
    const serial = serialHex();
    await expect(ds.transaction(async (m) => {
      await lifecycle.applyAll([event('certificate.issued', serial, 1), event('certificate.issued', serialHex(), 1)], m, logger);
      throw new Error('consumer crashed');
    })).rejects.toThrow('consumer crashed');
    expect(await ds.query('SELECT 1 FROM seal.certificate_state WHERE serial = $1', [serial])).toEqual([]);
  });
});

describe('whether an event wrote seal events (the listener kicks the outbox relay only then)', () => {
  it('an issued certificate without seals: no; a freeze of a certificate with a seal: yes; the same freeze again: no', async () => {
    const serial = serialHex();
    expect(await apply(event('certificate.issued', serial, 1))).toBe(false);
    await seal(serial);
    const freeze = event('certificate.frozen', serial, 2);
    expect(await apply(freeze)).toBe(true);
    expect(await apply({ ...freeze, id: randomUUID() })).toBe(false);
    expect(await ds.transaction((m) => lifecycle.applyAll([event('certificate.issued', serialHex(), 1), event('certificate.unfrozen', serial, 3)], m, logger))).toBe(true);
  });
});
