import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsNull, type DataSource } from 'typeorm';
import pino from 'pino';
import { createServiceDataSource, dropDatabase, ensureDatabase } from '@ecert/database';
import { loadConfig } from '@ecert/common';
import { OutboxRelay } from './outbox-relay';
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

function relayWith(publish: (subject: string, data: Uint8Array, opts: { msgID: string }) => Promise<unknown>): OutboxRelay {
  // A stand-in connection: jetstream() only reads its options; publish is replaced below.
  const relay = new OutboxRelay(ds, { options: { inboxPrefix: '_INBOX' } } as never, pino({ level: 'silent' }), BusIdentity.fromConfig(loadConfig({}), 'cert-service'));
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
});
