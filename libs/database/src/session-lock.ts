import pg from 'pg';

export interface SessionLockOptions {
  /** How long to wait for the lock (another process migrating, creating CAs...). */
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Wait by trying every this many ms instead of one blocking `pg_advisory_lock`. A blocked
   * statement holds a snapshot while it waits, and a concurrent index build under the lock waits
   * for every older snapshot: the holder's build and the waiter would wait on each other (through
   * the holder's own lock connection, which PostgreSQL's deadlock detector cannot see) until a
   * timeout ended the build. Tries are short statements, so nothing is held between them.
   */
  pollMs?: number;
}

class SessionLockTimeout extends Error {}

/**
 * Runs `fn` while holding a session-level advisory lock on a connection of its own, outside
 * every pool: lock and unlock always reach the same session (two pooled `ds.query` calls may
 * not), and `fn` may use the pool freely without holding one pooled connection while it waits
 * for another. Closing the connection releases the lock even if the unlock is never sent.
 */
export async function withSessionLock<T>(url: string, key: string, fn: () => Promise<T>, opts: SessionLockOptions = {}): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    lock_timeout: opts.lockTimeoutMs ?? 120_000,
    application_name: 'ecert-lock',
  });
  // A broken connection while fn runs must not crash the process; the lock is gone with it.
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (opts.pollMs) await pollForLock(client, key, opts.pollMs, opts.lockTimeoutMs ?? 120_000);
    else await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pollForLock(client: pg.Client, key: string, pollMs: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
    if (r.rows[0]?.ok) return;
    if (Date.now() >= until) throw new SessionLockTimeout(`lock ${key} not obtained within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, pollMs));
  }
}
