/**
 * Document retention against the real PostgreSQL (the seal schema and its migrations), a real
 * document store on disk and the real Redis (the BullMQ job scheduler). The workflow-service is a
 * stand-in answering which contents are materials: this is about what is removed and what is kept.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import pino from 'pino';
import { Queue } from 'bullmq';
import { loadConfig } from '@ecert/common';
import { bullPrefix, QueueNames } from '@ecert/contracts';
import { createServiceDataSource, dropDatabase, prepareServiceDatabase } from '@ecert/database';
import { FileDocumentStore } from '@ecert/documents';
import { InboxRecord, OutboxMessage, type OutboxRelay } from '@ecert/messaging';
import { SEAL_MIGRATIONS } from '../seal-service.module';
import { SEAL_ENTITIES, SealEntity, SealImageEntity } from '../seals/seal.entities';
import type { MaterialReferences } from '../workflow-client/workflow-service.client';
import { DOCUMENT_ENTITIES, DocumentEntity } from './document.entities';
import { DocumentRetentionScheduler, RETENTION_SWEEP_EVERY_MS } from './document-retention.scheduler';
import { PurgeExpiredDocumentsUseCase } from './purge-expired-documents.use-case';

const DAY = 86_400_000;
const logger = pino({ level: 'silent' });
const relay = { kick: () => undefined } as unknown as OutboxRelay;
let ds: DataSource;
let root: string;
let store: FileDocumentStore;
const materialContents = new Set<string>();
const asked: string[][] = [];
const materials: MaterialReferences = {
  referenced: async (sha256s) => {
    asked.push([...sha256s]);
    return new Set(sha256s.filter((s) => materialContents.has(s)));
  },
};
let purge: PurgeExpiredDocumentsUseCase;

beforeAll(async () => {
  ds = createServiceDataSource({ url: process.env.DATABASE_URL!, schema: 'seal', entities: [OutboxMessage, InboxRecord, ...SEAL_ENTITIES, ...DOCUMENT_ENTITIES], migrations: SEAL_MIGRATIONS });
  await prepareServiceDatabase(ds, 'seal');
  root = await mkdtemp(join(tmpdir(), 'ecert-retention-'));
  store = new FileDocumentStore({ root, maxBytes: 1 << 20 });
  purge = new PurgeExpiredDocumentsUseCase(ds, store, materials, relay, logger);
});

afterAll(async () => {
  await ds?.destroy();
  await rm(root, { recursive: true, force: true });
  await dropDatabase(process.env.DATABASE_URL!, /^ecert_t[a-z0-9]+$/);
});

/** A registered document whose retention ends at `retainedUntil`, its bytes in the store. */
async function doc(retainedUntil: Date, content?: Uint8Array): Promise<DocumentEntity> {
  const bytes = content ?? new Uint8Array(randomBytes(200));
  const { sha256, size } = await store.put(bytes);
  const row = ds.getRepository(DocumentEntity).create({
    id: randomUUID(),
    sha256,
    size,
    pages: 1,
    fileName: 'declaration.pdf',
    uploadedByClient: 'client-a',
    uploadedByStaff: null,
    uploadedAt: new Date(retainedUntil.getTime() - 180 * DAY),
    retainedUntil,
    derivedFrom: null,
    purgedAt: null,
    requestId: null,
  });
  await ds.getRepository(DocumentEntity).insert(row);
  return row;
}

const rowOf = (id: string) => ds.getRepository(DocumentEntity).findOneByOrFail({ id });
const marks = async (sha256: string): Promise<number> => (await ds.query(`SELECT count(*)::int AS n FROM "seal"."document_content_removal" WHERE sha256 = $1`, [sha256]))[0].n;

describe('PurgeExpiredDocumentsUseCase', () => {
  it('removes the bytes of documents past retention unless a live document or a material uses them; marks every due row; keeps the records', async () => {
    const now = new Date(Date.now() + 1000 * DAY); // injected time: everything created below "now" is judged by it
    const past = new Date(now.getTime() - DAY);
    const future = new Date(now.getTime() + DAY);
    const alone = await doc(past);
    const sharedBytes = new Uint8Array(randomBytes(300));
    const sharedDue = await doc(past, sharedBytes);
    const sharedLive = await doc(future, sharedBytes);
    const material = await doc(past);
    materialContents.add(material.sha256);
    const twinBytes = new Uint8Array(randomBytes(250));
    const twinA = await doc(past, twinBytes);
    const twinB = await doc(new Date(past.getTime() - 1000), twinBytes);
    const notDue = await doc(future);
    await ds.query(`INSERT INTO "seal"."verification_report" (id, document_sha256, indication, report, created_at) VALUES ($1, $2, 'TOTAL_PASSED', '{}', now())`, [randomUUID(), alone.sha256]);

    // chunks of 2: several transactions, set-based within each
    const r = await purge.execute({ now, chunkSize: 2, graceMs: 0 });
    expect(r.purged).toBe(5);

    for (const d of [alone, sharedDue, material, twinA, twinB]) expect((await rowOf(d.id)).purgedAt?.getTime()).toBe(now.getTime());
    for (const d of [sharedLive, notDue]) expect((await rowOf(d.id)).purgedAt).toBeNull();
    expect(await store.has(alone.sha256)).toBe(false);
    expect(await store.has(twinA.sha256)).toBe(false);
    // kept: another document not due yet uses them, an application's material is them
    expect(await store.has(sharedDue.sha256)).toBe(true);
    expect(await store.has(material.sha256)).toBe(true);
    expect(await store.has(notDue.sha256)).toBe(true);
    // the workflow-service is asked about the due contents, before any row is locked
    expect(asked.flat()).toContain(material.sha256);

    // the audit trail: rows with their hashes, the verification report, one document.purged event per chunk
    expect((await rowOf(alone.id)).sha256).toBe(alone.sha256);
    expect((await ds.query(`SELECT count(*)::int AS n FROM "seal"."verification_report" WHERE document_sha256 = $1`, [alone.sha256]))[0].n).toBe(1);
    const events: { payload: { data: { documentIds: string[]; removedSha256s: string[]; keptSha256s: string[] } } }[] = await ds.query(`SELECT payload FROM "seal"."outbox" WHERE type = 'document.purged' ORDER BY seq`);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.flatMap((e) => e.payload.data.documentIds).sort()).toEqual([alone, sharedDue, material, twinA, twinB].map((d) => d.id).sort());
    expect(events.flatMap((e) => e.payload.data.removedSha256s)).toContain(alone.sha256);
    expect(events.flatMap((e) => e.payload.data.keptSha256s)).toEqual(expect.arrayContaining([sharedDue.sha256, material.sha256]));

    // once the last live user is due too, the shared bytes go; nothing is purged twice
    const later = new Date(future.getTime() + DAY);
    const again = await purge.execute({ now: later, chunkSize: 2, graceMs: 0 });
    expect(again.purged).toBe(2); // sharedLive, notDue
    expect(await store.has(sharedLive.sha256)).toBe(false);
    expect((await rowOf(alone.id)).purgedAt?.getTime()).toBe(now.getTime());
    expect(await purge.execute({ now: later })).toMatchObject({ purged: 0, removed: 0, kept: 0 });
  });
});

/** A seal (rows as the seal-service stores them) and an approved request on `document`, for a deferred session. */
async function sessionPreparing(document: DocumentEntity, preparedSha256: string, expiresAt: Date): Promise<void> {
  const now = new Date();
  const imageId = randomUUID();
  await ds.getRepository(SealImageEntity).insert({ id: imageId, sha256: 'x', png: Buffer.from('png'), bytes: 3, widthPx: 10, heightPx: 10, widthMm: 40, heightMm: 40, source: 'upload', createdAt: now });
  const sealId = randomUUID();
  await ds.getRepository(SealEntity).insert({
    id: sealId, esId: sealId.replace(/-/g, ''), kind: 'official', purpose: null, typeCode: 1, name: '测试单位', status: 'active',
    statusReason: null, statusChangedAt: now, additional: false, additionalReason: null, uscc: `91450100MA5L${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`, unitName: '测试单位', regionCode: '450100',
    certificateSerial: '0a', certificateProfile: 'unit', certificateNotAfter: new Date(Date.now() + 300 * DAY), imageId,
    validFrom: new Date(Date.now() - DAY), validTo: new Date(Date.now() + 300 * DAY), der: Buffer.from('der'), derSha256: 'x', derBytes: 3,
    replaces: null, replacedBy: null, createdBy: 'test', createdAt: now, updatedAt: now,
  });
  const requestId = randomUUID();
  await ds.query(
    `INSERT INTO "seal"."seal_use_request" (id, seal_id, document_id, document_sha256, placements, purpose, status, requested_by_client, expires_at) VALUES ($1, $2, $3, $4, '[]', 'test', 'approved', 'client-a', $5)`,
    [requestId, sealId, document.id, document.sha256, expiresAt],
  );
  await ds.query(
    `INSERT INTO "seal"."seal_session" (id, seal_use_request_id, document_id, seal_id, certificate_serial, prepared_sha256, byte_range, contents_offset, contents_length, field_name, family, sub_filter, digest_algorithm, signed_attributes, data_to_sign, digest_to_sign, placements, created_by_client, expires_at)
     VALUES ($1, $2, $3, $4, '0a', $5, '{0,1,2,3}', 1, 2, 'Signature1', 'pades', 'ETSI.CAdES.detached', 'sha256', '\\x31', '\\x31', '\\x00', '[]', 'client-a', $6)`,
    [randomUUID(), requestId, document.id, sealId, preparedSha256, expiresAt],
  );
}

describe('PurgeExpiredDocumentsUseCase and open sessions', () => {
  it("keeps a content an open deferred session's prepared PDF is; removes it once the session expired", async () => {
    const now = new Date(Date.now() + 2000 * DAY);
    const original = await doc(new Date(now.getTime() + DAY));
    const preparedBytes = new Uint8Array(randomBytes(220));
    const due = await doc(new Date(now.getTime() - DAY), preparedBytes);
    await sessionPreparing(original, due.sha256, new Date(now.getTime() + 60_000));
    expect(await purge.execute({ now, graceMs: 0 })).toMatchObject({ purged: 1, removed: 0, kept: 1 });
    expect(await store.has(due.sha256)).toBe(true);
    // the session has expired by then: nothing needs the bytes (the due row stays purged, the next due one removes them)
    const later = new Date(now.getTime() + 120_000);
    const dueAgain = await doc(new Date(later.getTime() - 1000), preparedBytes);
    expect(await purge.execute({ now: later, graceMs: 0 })).toMatchObject({ purged: 1, removed: 1, kept: 0 });
    expect(await store.has(dueAgain.sha256)).toBe(false);
  });
});

describe('PurgeExpiredDocumentsUseCase in two phases', () => {
  it('marks a content, keeps its bytes through the grace period, and keeps them for good when the same content is registered again meanwhile', async () => {
    const now = new Date(Date.now() + 3000 * DAY);
    const bytes = new Uint8Array(randomBytes(230));
    const due = await doc(new Date(now.getTime() - DAY), bytes);
    const other = await doc(new Date(now.getTime() - DAY));
    expect(await purge.execute({ now, graceMs: 60_000 })).toMatchObject({ removed: 0 });
    expect((await rowOf(due.id)).purgedAt).not.toBeNull();
    expect(await store.has(due.sha256)).toBe(true);
    expect(await marks(due.sha256)).toBe(1);
    // A re-upload of the same bytes during the grace period (a live row of its own).
    const again = await doc(new Date(now.getTime() + 180 * DAY), bytes);
    const after = new Date(now.getTime() + 120_000);
    expect(await purge.execute({ now: after })).toMatchObject({ purged: 0 });
    expect(await store.has(again.sha256)).toBe(true);
    expect(await marks(again.sha256)).toBe(0);
    expect(await store.has(other.sha256)).toBe(false);
    expect(await marks(other.sha256)).toBe(0);
  });

  it('a workflow-service that does not answer: nothing is purged, nothing removed, and the next sweep does it', async () => {
    const now = new Date(Date.now() + 4000 * DAY);
    const due = await doc(new Date(now.getTime() - DAY));
    const down = new PurgeExpiredDocumentsUseCase(ds, store, { referenced: async () => Promise.reject(new Error('no responders')) }, relay, logger);
    expect(await down.execute({ now, graceMs: 0 })).toMatchObject({ purged: 0, removed: 0 });
    expect((await rowOf(due.id)).purgedAt).toBeNull();
    expect(await store.has(due.sha256)).toBe(true);
    // Marked by a sweep that could ask, then the workflow-service is down for the removal: the bytes stay.
    await purge.execute({ now, graceMs: 60_000 });
    expect(await marks(due.sha256)).toBe(1);
    expect(await down.execute({ now: new Date(now.getTime() + 120_000) })).toMatchObject({ removed: 0 });
    expect(await store.has(due.sha256)).toBe(true);
    expect((await purge.execute({ now: new Date(now.getTime() + 120_000) })).removed).toBeGreaterThanOrEqual(1);
    expect(await store.has(due.sha256)).toBe(false);
  });

  it('a content whose removal fails is logged and kept marked; the others are removed; the next sweep removes it', async () => {
    const now = new Date(Date.now() + 5000 * DAY);
    const a = await doc(new Date(now.getTime() - DAY));
    const b = await doc(new Date(now.getTime() - DAY));
    let broken = true;
    const flaky = Object.create(store, { remove: { value: async (sha256: string) => (broken && sha256 === a.sha256 ? Promise.reject(new Error('EIO')) : store.remove(sha256)) } }) as FileDocumentStore;
    const sweeper = new PurgeExpiredDocumentsUseCase(ds, flaky, materials, relay, logger);
    expect((await sweeper.execute({ now, graceMs: 0 })).purged).toBeGreaterThanOrEqual(2);
    expect(await store.has(a.sha256)).toBe(true);
    expect(await marks(a.sha256)).toBe(1);
    expect(await store.has(b.sha256)).toBe(false);
    broken = false;
    expect((await sweeper.execute({ now })).removed).toBeGreaterThanOrEqual(1);
    expect(await store.has(a.sha256)).toBe(false);
  });

  it('the source document of an approved request or an open deferred session is not purged: its retention is extended', async () => {
    const now = new Date(Date.now() + 6000 * DAY);
    const source = await doc(new Date(now.getTime() - DAY));
    await sessionPreparing(source, new Uint8Array(randomBytes(4)).toString(), new Date(now.getTime() + 60_000));
    expect(await purge.execute({ now, graceMs: 0 })).toMatchObject({ purged: 0, extended: 1 });
    const row = await rowOf(source.id);
    expect(row.purgedAt).toBeNull();
    expect(row.retainedUntil.getTime()).toBeGreaterThan(now.getTime());
    expect(await store.has(source.sha256)).toBe(true);
  });
});

describe('DocumentRetentionScheduler', () => {
  it('registers its job scheduler on the document-retention queue (real Redis) and its worker sweeps', async () => {
    const config = loadConfig();
    const due = await doc(new Date(Date.now() - DAY));
    const scheduler = new DocumentRetentionScheduler(config, logger, purge);
    const queue = new Queue(QueueNames.documentRetention, { connection: { url: config.REDIS_URL, maxRetriesPerRequest: null }, prefix: bullPrefix(config.ECERT_REDIS_PREFIX) });
    try {
      await scheduler.onApplicationBootstrap();
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]!.key).toBe('document-retention-sweep');
      expect(Number(schedulers[0]!.every)).toBe(RETENTION_SWEEP_EVERY_MS);
      // The scheduler's first job runs at once: the due document is purged by the worker (polled, no fixed sleep).
      for (let i = 0; i < 300 && !(await rowOf(due.id)).purgedAt; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await rowOf(due.id)).purgedAt).not.toBeNull();
      // Two phases: marked for removal, its bytes kept through the grace period.
      expect(await marks(due.sha256)).toBe(1);
      expect(await store.has(due.sha256)).toBe(true);
    } finally {
      await scheduler.onApplicationShutdown();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });
});
