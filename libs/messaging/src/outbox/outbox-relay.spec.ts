import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsNull, type DataSource } from 'typeorm';
import pino from 'pino';
import { createServiceDataSource, dropDatabase, ensureDatabase } from '@ecert/database';
import { loadConfig } from '@ecert/common';
import { OutboxLane, OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { BusIdentity } from '../identity/bus-identity';
import { OutboxMessage } from './outbox-message.entity';
import { createMessagingTables } from './messaging-tables.migration-steps';

/**
 * Ordering guarantee of the relay, against the real PostgreSQL: when one publish fails, nothing
 * after it goes out before it does. JetStream is replaced by a recording fake so a failure can be
 * placed exactly; the durability e2e covers the real bus.
 */
const schema = `relay_${randomUUID().slice(0, 8)}`;
let ds: DataSource;

beforeAll(async () => {
  await ensureDatabase(process.env.DATABASE_URL!);
  ds = createServiceDataSource({ url: process.env.DATABASE_URL!, schema, entities: [OutboxMessage], migrations: [] });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA "${schema}"`);
  const qr = ds.createQueryRunner();
  await createMessagingTables(qr, schema);
  await qr.release();
});

afterAll(async () => {
  await ds.destroy();
  // This file's own database (env.setup.ts names it per file): drop it whole.
  await dropDatabase(process.env.DATABASE_URL!, /^ecert_t[a-z0-9]+$/);
});

function relayWith(publish: (subject: string, data: Uint8Array, opts: { msgID: string }) => Promise<unknown>, opts: OutboxRelayOptions = {}, on = ds): OutboxRelay {
  // A stand-in connection: jetstream() only reads its options; publish is replaced below.
  const relay = new OutboxRelay(on, { options: { inboxPrefix: '_INBOX' } } as never, pino({ level: 'silent' }), BusIdentity.fromConfig(loadConfig({}), 'cert-service'), opts);
  (relay as unknown as { js: unknown }).js = { publish };
  return relay;
}

describe('OutboxRelay', () => {
  it('publishes in sequence order and stops at the first failure', async () => {
    const ids: string[] = [];
    for (const type of ['certificate.frozen', 'certificate.unfrozen', 'certificate.revoked']) {
      const id = randomUUID();
      ids.push(id);
      await ds.getRepository(OutboxMessage).insert({ id, subject: `t.${type}`, type, aggregateId: 'ab', payload: { id, type } });
    }
    const sent: string[] = [];
    let failNext = true;
    const relay = relayWith(async (_subject, _data, { msgID }) => {
      if (msgID === ids[0] && failNext) {
        failNext = false;
        throw new Error('timeout');
      }
      sent.push(msgID);
    });
    await expect(relay.drainOnce()).rejects.toThrow('timeout');
    expect(sent).toEqual([]); // nothing overtook the failed freeze
    const { attempts } = (await ds.getRepository(OutboxMessage).findOneByOrFail({ id: ids[0] }));
    expect(attempts).toBe(1);

    expect(await relay.drainOnce()).toBe(3);
    expect(sent).toEqual(ids);
    const unpublished = await ds.getRepository(OutboxMessage).countBy({ publishedAt: IsNull() });
    expect(unpublished).toBe(0);
  });

  it('with lanes, an ordinary event goes out in the next round however many bulk events wait, and bulk ones still move', async () => {
    const laned = createServiceDataSource({ url: process.env.DATABASE_URL!, schema: `${schema}_lanes`, entities: [OutboxMessage], migrations: [] });
    await laned.initialize();
    try {
      await laned.query(`CREATE SCHEMA "${schema}_lanes"`);
      const qr = laned.createQueryRunner();
      await createMessagingTables(qr, `${schema}_lanes`);
      await qr.release();
      await laned.query(`ALTER TABLE "${schema}_lanes"."outbox" ADD COLUMN lane smallint NOT NULL DEFAULT 0`);
      const insert = async (type: string, lane: number, n: number) => {
        const ids = Array.from({ length: n }, () => randomUUID());
        for (const id of ids) {
          await laned.query(`INSERT INTO "${schema}_lanes"."outbox" (id, subject, type, aggregate_id, payload, lane) VALUES ($1, $2, $3, 'ab', '{}', $4)`, [id, `t.${type}`, type, lane]);
        }
        return ids;
      };
      const bulk = await insert('certificate.invalidated', OutboxLane.bulk, 40);
      const freezes = await insert('certificate.frozen', OutboxLane.ordinary, 3);
      const sent: string[] = [];
      const relay = relayWith(async (_s, _d, { msgID }) => void sent.push(msgID), { batchSize: 10, lanes: { bulkMin: 2 } }, laned);
      // the freezes, written after 40 invalidations, go first; the round fills up with bulk ones
      expect(await relay.drainOnce()).toBe(10);
      expect(sent).toEqual([...freezes, ...bulk.slice(0, 7)]);
      // a busy ordinary lane takes the round, but never all of it
      const more = await insert('certificate.unfrozen', OutboxLane.ordinary, 15);
      sent.length = 0;
      expect(await relay.drainOnce()).toBe(12);
      expect(sent).toEqual([...more.slice(0, 10), ...bulk.slice(7, 9)]);
      while ((await relay.drainOnce()) > 0);
      const [{ n }] = await laned.query(`SELECT count(*)::int AS n FROM "${schema}_lanes"."outbox" WHERE published_at IS NULL`);
      expect(n).toBe(0);
      // a bulk publish that fails: the rest of its window goes out, it is retried with its attempt counted
      const five = await insert('certificate.invalidated', OutboxLane.bulk, 5);
      let failed = false;
      const flaky = relayWith(async (_s, _d, { msgID }) => {
        if (msgID === five[2] && !failed) {
          failed = true;
          throw new Error('timeout');
        }
        sent.push(msgID);
      }, { batchSize: 10, lanes: { bulkMin: 2 } }, laned);
      expect(await flaky.drainOnce()).toBe(4);
      const [row] = await laned.query(`SELECT attempts, published_at FROM "${schema}_lanes"."outbox" WHERE id = $1`, [five[2]]);
      expect(row).toMatchObject({ attempts: 1, published_at: null });
      expect(await flaky.drainOnce()).toBe(1);
    } finally {
      await laned.destroy();
    }
  });
});
