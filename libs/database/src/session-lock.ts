import pg from 'pg';

export interface SessionLockOptions {
  /** How long to wait for the lock (another process migrating, creating CAs...). */
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
}

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
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
