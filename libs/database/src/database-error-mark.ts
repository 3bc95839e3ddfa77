import pg from 'pg';

const MARK = Symbol.for('ecert.database-error');

/**
 * Marks an error as the database connection's. A refused or reset socket reaches the caller as the
 * bare Node error (`connect ECONNREFUSED host:port`), the same as Redis's or an HTTP client's; only
 * the pool it came from says it was PostgreSQL's.
 */
export function markDatabaseError<E>(e: E): E {
  if (e instanceof Error && !(MARK in e)) Object.defineProperty(e, MARK, { value: true });
  return e;
}

export const isMarkedDatabaseError = (e: unknown): boolean => e instanceof Error && MARK in e;

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** pg.Pool whose connect failures (refused, reset, timed out, server closing) are marked. */
class MarkedPool extends pg.Pool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(callback?: ConnectCallback): any {
    if (!callback) return super.connect().catch((e: unknown) => Promise.reject(markDatabaseError(e)));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (super.connect as any)((err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => callback(err && markDatabaseError(err), client, done));
  }
}

/** node-postgres with MarkedPool, for TypeORM's `driver` option (the rest inherited, read lazily). */
export const markedPg: typeof pg = Object.create(pg, { Pool: { value: MarkedPool, enumerable: true } });
