/**
 * CredentialCache against the real NATS (this file's subject prefix): two caches stand for two
 * gateway processes. A change announced by one drops the entry in the other; an entry read while an
 * invalidation arrived is not kept; without the bus, or with the cache off, every lookup reads.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { connectNats } from '@ecert/messaging';
import { loadConfig } from '@ecert/common';
import { Subjects } from '@ecert/contracts';
import { CredentialCache, type CredentialRow } from './credential.cache';

const logger = pino({ level: 'silent' });
const started: CredentialCache[] = [];

async function cache(overrides: Record<string, string> = {}): Promise<CredentialCache> {
  const c = new CredentialCache(loadConfig({ ...process.env, ECERT_CREDENTIAL_CACHE_MS: '60000', ...overrides }), logger);
  await c.onApplicationBootstrap();
  started.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.onApplicationShutdown()));
});

const row = (clientId: string, over: Partial<CredentialRow> = {}): CredentialRow => ({
  id: 'cred-1',
  client_id: clientId,
  secret_hash: 'ab',
  expires_at: null,
  revoked_at: null,
  name: 'system',
  status: 'enabled',
  operations: ['certificates:read'],
  region_codes: null,
  rate_limit_per_second: 10,
  ...over,
});

/** A database stand-in: how often it was read, and what it holds now. */
function store(initial: CredentialRow | undefined) {
  const s = { current: initial, reads: 0, load: async () => (s.reads++, s.current) };
  return s;
}

async function until(what: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('CredentialCache', () => {
  it('reads a credential once, and again after its client changed in this process', async () => {
    const c = await cache();
    const db = store(row('client-a'));
    expect(await c.lookup('id:cred-1', db.load)).toMatchObject({ client_id: 'client-a' });
    expect(await c.lookup('id:cred-1', db.load)).toMatchObject({ client_id: 'client-a' });
    expect(db.reads).toBe(1);
    db.current = row('client-a', { revoked_at: new Date() });
    c.announce('client-a');
    expect((await c.lookup('id:cred-1', db.load))?.revoked_at).toBeInstanceOf(Date);
    expect(db.reads).toBe(2);
  });

  it("drops another gateway process's entry when the change is broadcast", async () => {
    const [here, there] = [await cache(), await cache()];
    const db = store(row('client-b'));
    await there.lookup('id:cred-1', db.load);
    await there.lookup('id:cred-1', db.load);
    expect(db.reads).toBe(1);
    db.current = row('client-b', { status: 'disabled' });
    here.announce('client-b');
    await until(async () => (await there.lookup('id:cred-1', db.load))?.status === 'disabled');
    // Another client's change leaves the entry alone.
    const reads = db.reads;
    here.announce('client-other');
    await new Promise((r) => setTimeout(r, 100));
    await there.lookup('id:cred-1', db.load);
    expect(db.reads).toBe(reads);
  });

  it('keeps nothing read while an invalidation came in', async () => {
    const c = await cache();
    let release!: () => void;
    const db = store(row('client-c'));
    const slow = () => new Promise<CredentialRow | undefined>((resolve) => (release = () => resolve(db.load())));
    const pending = c.lookup('id:cred-1', slow);
    c.announce('client-c'); // committed while the read was under way
    release();
    await pending;
    await c.lookup('id:cred-1', db.load);
    expect(db.reads).toBe(2);
  });

  it('keeps no miss: a credential created after a failed lookup works at once', async () => {
    const c = await cache();
    const db = store(undefined);
    expect(await c.lookup('id:cred-1', db.load)).toBeUndefined();
    db.current = row('client-d');
    expect(await c.lookup('id:cred-1', db.load)).toMatchObject({ client_id: 'client-d' });
  });

  it('treats an unreadable broadcast as a change of everyone', async () => {
    const c = await cache();
    const db = store(row('client-e'));
    await c.lookup('id:cred-1', db.load);
    const nc = await connectNats(loadConfig(process.env).NATS_URL, 'credential-cache-spec');
    nc.publish(Subjects.gateway.credentialsInvalidate, 'not json');
    await nc.flush();
    await until(async () => (await c.lookup('id:cred-1', db.load), db.reads === 2));
    await nc.close();
  });

  it('reads every time when the cache is off, or when it has no bus to hear changes on', async () => {
    for (const overrides of [{ ECERT_CREDENTIAL_CACHE_MS: '0' }, { NATS_URL: 'nats://127.0.0.1:1' }] as Record<string, string>[]) {
      const c = await cache(overrides);
      const db = store(row('client-f'));
      await c.lookup('id:cred-1', db.load);
      await c.lookup('id:cred-1', db.load);
      expect(db.reads, JSON.stringify(overrides)).toBe(2);
    }
  });

  it('lets an entry age out', async () => {
    const c = await cache({ ECERT_CREDENTIAL_CACHE_MS: '50' });
    const db = store(row('client-g'));
    await c.lookup('id:cred-1', db.load);
    await new Promise((r) => setTimeout(r, 80));
    await c.lookup('id:cred-1', db.load);
    expect(db.reads).toBe(2);
  });
});

describe('CredentialCache without its subscription', () => {
  it('reads every time once the subscription is gone (refused by the server, or closed)', async () => {
    const c = await cache();
    const db = store(row('client-h'));
    await c.lookup('id:cred-1', db.load);
    await c.lookup('id:cred-1', db.load);
    expect(db.reads).toBe(1);
    (c as unknown as { sub: { unsubscribe(): void } }).sub.unsubscribe();
    await c.lookup('id:cred-1', db.load);
    await c.lookup('id:cred-1', db.load);
    expect(db.reads).toBe(3);
  });
});
