/**
 * The bulk lane bounds what a freeze waits for (issue 12 §2), against the real NATS (JetStream,
 * this file's own prefix and stream) and PostgreSQL (the seal schema): the seal-service's listener
 * with its two durable consumers, fed 20,000 signed certificate.invalidated events on the bulk
 * subjects the invalidation runner writes, then a freeze on the ordinary subject. With one consumer
 * over one subject family (the old layout) the freeze could only be applied after every
 * invalidation before it in the stream; here its seal is suspended while most of them still wait.
 * The cert-service and the seal maker are stand-ins: no renewal happens here.
 */
import { randomUUID } from 'node:crypto';
import { newSerialNumber, serialKey } from '@ecert/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import pino from 'pino';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { loadConfig } from '@ecert/common';
import { BulkEventSubjects, durableConsumers, EVENT_SIGNATURE_HEADER, EVENT_SIGNER_HEADER, EVENTS_STREAM, eventSubject, natsPrefix, type DomainEvent } from '@ecert/contracts';
import { createServiceDataSource, dropDatabase, prepareServiceDatabase } from '@ecert/database';
import { BusIdentity, connectNats, deleteEventsStream, ensureEventsStream, InboxRecord, OutboxMessage, type OutboxRelay } from '@ecert/messaging';
import { SEAL_MIGRATIONS } from '../seal-service.module';
import { SEAL_ENTITIES, SealEntity, SealImageEntity } from '../seals/seal.entities';
import type { CertServiceClient } from '../cert-client/cert-service.client';
import type { SealFactory } from '../seals/seal-factory.service';
import { CertificateEventsListener, SEAL_CERTIFICATE_CONSUMER } from './certificate-events.listener';
import { SealLifecycle } from './seal-lifecycle.service';

const BACKLOG = 20_000;
const DAY = 86_400_000;
const config = loadConfig(process.env);
const logger = pino({ level: 'silent' });
const cert = BusIdentity.fromConfig(config, 'cert-service');
let ds: DataSource;
let nc: NatsConnection;
let js: JetStreamClient;
let listener: CertificateEventsListener | undefined;

beforeAll(async () => {
  ds = createServiceDataSource({ url: process.env.DATABASE_URL!, schema: 'seal', entities: [OutboxMessage, InboxRecord, ...SEAL_ENTITIES], migrations: SEAL_MIGRATIONS });
  await prepareServiceDatabase(ds, 'seal');
  nc = await connectNats(config.NATS_URL, 'certificate-lanes-spec');
  js = jetstream(nc);
  // The stream as a running stack has it from before the bulk lane: `<prefix>.evt.>` only, with an event in it.
  await (await jetstreamManager(nc)).streams.add({ name: EVENTS_STREAM, subjects: [`${natsPrefix}.evt.>`], duplicate_window: 86_400_000_000_000 });
  await publish(eventSubject('certificate.issued'), [event('certificate.issued', serialHex(), 1)]);
  await ensureEventsStream(nc, 1);
});

afterAll(async () => {
  await listener?.onApplicationShutdown();
  if (nc) {
    await deleteEventsStream(nc);
    await nc.drain().catch(() => undefined);
  }
  await ds?.destroy();
  await dropDatabase(process.env.DATABASE_URL!, /^ecert_t[a-z0-9]+$/);
});

const serialHex = () => serialKey(newSerialNumber());

/** An active seal bound to `serial`, as the seal-service would have made it. */
async function seal(serial: string): Promise<string> {
  const now = new Date();
  const imageId = randomUUID();
  await ds.getRepository(SealImageEntity).insert({ id: imageId, sha256: 'x', png: Buffer.from('png'), bytes: 3, widthPx: 10, heightPx: 10, widthMm: 40, heightMm: 40, source: 'upload', createdAt: now });
  const id = randomUUID();
  await ds.getRepository(SealEntity).insert({
    id, esId: id.replace(/-/g, ''), kind: 'special', purpose: 'contract', typeCode: 4, name: '合同专用章', status: 'active', statusReason: null, statusChangedAt: now,
    additional: false, additionalReason: null, uscc: '91450100MA5L000000', unitName: '测试单位', regionCode: '450100', certificateSerial: serial, certificateProfile: 'unit',
    certificateNotAfter: new Date(Date.now() + 300 * DAY), imageId, validFrom: new Date(Date.now() - DAY), validTo: new Date(Date.now() + 300 * DAY),
    der: Buffer.from('der'), derSha256: 'x', derBytes: 3, replaces: null, replacedBy: null, createdBy: 'test', createdAt: now, updatedAt: now,
  });
  return id;
}

function event(type: string, serial: string, version: number): DomainEvent {
  return {
    id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId: serial,
    data: { serial, caId: 'sm2-issuing', profile: 'unit', uscc: '91450100MA5L000000', accountNo: '4501000001', regionCode: '450100', status: 'x', notAfter: '', version },
  };
}

/** Signed by the cert-service as its relay signs (the subject is not signed: the consumer checks it against the type). */
async function publish(subject: string, events: DomainEvent[]): Promise<void> {
  const window = 256;
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(
      events.slice(i, i + window).map((e) => {
        const body = new TextEncoder().encode(JSON.stringify(e));
        const h = natsHeaders();
        h.set(EVENT_SIGNER_HEADER, cert.principal);
        h.set(EVENT_SIGNATURE_HEADER, cert.signBytes(body));
        return js.publish(subject, body, { msgID: e.id, headers: h, timeout: 10_000 });
      }),
    );
  }
}

const statusOf = async (id: string) => (await ds.getRepository(SealEntity).findOneByOrFail({ id })).status;
const applied = async (type: string): Promise<number> =>
  (await ds.query('SELECT count(*)::int AS n FROM seal.inbox WHERE consumer = $1 AND type = $2', [SEAL_CERTIFICATE_CONSUMER, type]))[0].n;
const inboxed = async (id: string): Promise<number> => (await ds.query('SELECT count(*)::int AS n FROM seal.inbox WHERE event_id = $1', [id]))[0].n;

async function until<T>(probe: () => Promise<T | false | undefined | null>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('the bulk lane of certificate events', () => {
  it('an events stream from before the bulk lane gains its subjects in place, keeping what it holds', async () => {
    const info = await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM);
    expect(info.config.subjects).toEqual([`${natsPrefix}.evt.>`, `${natsPrefix}.bulk.>`]);
    expect(info.state.messages).toBe(1);
  });

  it('a freeze published behind 20,000 invalidations suspends its seal while most of them still wait; the backlog drains', async () => {
    // The backlog, on the subject the invalidation runner writes into the outbox; one of them has a seal.
    const invalidSerial = serialHex();
    const invalidSeal = await seal(invalidSerial);
    const backlog = Array.from({ length: BACKLOG }, (_, i) => event('certificate.invalidated', i === 100 ? invalidSerial : serialHex(), 2));
    await publish(BulkEventSubjects.certificateInvalidated, backlog);
    // A genuinely signed freeze sent on the bulk lane: no bulk type, refused; then one last invalidation.
    const misroutedSerial = serialHex();
    const misroutedSeal = await seal(misroutedSerial);
    const misrouted = event('certificate.frozen', misroutedSerial, 2);
    await publish(`${natsPrefix}.bulk.v1.certificate.frozen`, [misrouted]);
    const last = event('certificate.invalidated', serialHex(), 2);
    await publish(BulkEventSubjects.certificateInvalidated, [last]);

    listener = new CertificateEventsListener(
      ds,
      nc,
      logger,
      { kick: () => undefined } as unknown as OutboxRelay,
      new SealLifecycle({} as CertServiceClient, {} as SealFactory),
      BusIdentity.fromConfig(config, 'seal-service'),
      config,
    );
    await listener.onApplicationBootstrap();
    // The seal-service is busy with the backlog when the freeze comes.
    await until(async () => (await applied('certificate.invalidated')) >= 500, 60_000, 50);

    const frozenSerial = serialHex();
    const frozenSeal = await seal(frozenSerial);
    const freeze = event('certificate.frozen', frozenSerial, 2);
    const published = Date.now();
    await publish(eventSubject('certificate.frozen'), [freeze]);
    await until(async () => (await statusOf(frozenSeal)) === 'suspended', 30_000, 10);
    const freezeMs = Date.now() - published;
    const doneAtFreeze = await applied('certificate.invalidated');
    const pendingAtFreeze = (await (await jetstreamManager(nc)).consumers.info(EVENTS_STREAM, durableConsumers().sealCertificatesBulk.name)).num_pending;
    // In one stream order the freeze comes after all BACKLOG + 1 invalidations; here most still wait.
    expect(doneAtFreeze, `freeze applied after ${freezeMs} ms, ${doneAtFreeze} invalidations applied by then`).toBeLessThan(BACKLOG / 2);
    expect(pendingAtFreeze).toBeGreaterThan(BACKLOG / 4);

    // The bulk lane drains, into the same inbox (the ordinary consumer's key), with its effect.
    await until(async () => (await inboxed(last.id)) === 1, 360_000, 250);
    expect(await applied('certificate.invalidated')).toBe(BACKLOG + 1);
    expect(await statusOf(invalidSeal)).toBe('suspended');
    expect((await ds.getRepository(SealEntity).findOneByOrFail({ id: invalidSeal })).statusReason).toMatch(/第二十条/);
    // The misrouted freeze, before `last` in the bulk consumer's order, was refused: not applied, nothing moved.
    expect(await inboxed(misrouted.id)).toBe(0);
    expect(await statusOf(misroutedSeal)).toBe('active');

    // The lanes are not ordered with each other: an older ordinary event of an invalidated
    // certificate (a freeze made before the run, delivered late) changes nothing.
    const lateFreeze = event('certificate.frozen', invalidSerial, 1);
    await publish(eventSubject('certificate.frozen'), [lateFreeze]);
    await until(async () => (await inboxed(lateFreeze.id)) === 1, 30_000);
    const [state] = await ds.query('SELECT status, version FROM seal.certificate_state WHERE serial = $1', [invalidSerial]);
    expect(state).toMatchObject({ status: 'invalid', version: 2 });
    expect((await ds.getRepository(SealEntity).findOneByOrFail({ id: invalidSeal })).statusReason).toMatch(/第二十条/);
  }, 480_000);
});
