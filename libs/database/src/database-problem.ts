import pg from 'pg';
import { TypeORMError } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { isMarkedDatabaseError } from './database-error-mark';

/** SQLSTATEs of waits cut off by the limits (see database-limits) or of contention worth retrying. */
const TIMED_OUT: Record<string, string> = {
  '57014': 'statement timeout', // query_canceled: statement_timeout
  '55P03': 'lock timeout', // lock_not_available: lock_timeout
  '25P03': 'idle transaction timeout', // idle_in_transaction_session_timeout
  '40001': 'serialization failure',
  '40P01': 'deadlock',
};

// "is not currently accepting connections" (55000): the database is closed to connections
// (ALLOW_CONNECTIONS false during maintenance): as unreachable as a stopped server, not a bug.
const UNAVAILABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection is closed|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection|is not currently accepting connections/i;

/**
 * An error of the database driver: TypeORM's (a failed query wraps node-postgres's error), a
 * PostgreSQL error, or one the pool marked (a connection that could not be made).
 */
function fromDatabase(e: unknown): e is Error {
  return e instanceof TypeORMError || e instanceof pg.DatabaseError || isMarkedDatabaseError(e);
}

/**
 * The problem a caller should see for a database failure that is not its fault: the pool was
 * exhausted, a statement or lock wait hit its limit, or PostgreSQL is unreachable. Each is a 503
 * with Retry-After semantics; anything else is not classified (undefined) and stays internal.
 */
export function databaseProblem(e: unknown): ProblemError | undefined {
  // Only the database's own errors: a Redis or HTTP client's ECONNREFUSED is not the database down.
  if (!fromDatabase(e)) return undefined;
  const err = e as Error & { code?: string; driverError?: { code?: string; message?: string } };
  const code = err.code ?? err.driverError?.code;
  const message = `${err.message} ${err.driverError?.message ?? ''}`;
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new ProblemError(503, ProblemCode.databaseBusy, '数据库繁忙 (database busy)', 'No database connection became free in time; retry shortly', undefined, { retryAfter: 1 });
  }
  // TypeORM's answer when PostgreSQL terminated the transaction's session under it
  // (idle_in_transaction_session_timeout, or the server restarting).
  if (err.name === 'QueryRunnerAlreadyReleasedError' || err.name === 'QueryRunnerProviderAlreadyReleasedError') {
    return new ProblemError(503, ProblemCode.databaseBusy, '数据库繁忙 (database busy)', 'The transaction was cut off by the database; retry shortly', undefined, { retryAfter: 1 });
  }
  if (code && TIMED_OUT[code]) {
    return new ProblemError(503, ProblemCode.databaseBusy, '数据库繁忙 (database busy)', `The request was cut off by a ${TIMED_OUT[code]}; retry shortly`, undefined, { retryAfter: 1 });
  }
  if ((code && /^(08|57P)/.test(code)) || UNAVAILABLE.test(message) || /Query read timeout/i.test(message)) {
    return new ProblemError(503, ProblemCode.databaseUnavailable, '数据库不可用 (database unavailable)', 'The database is unreachable; retry later', undefined, { retryAfter: 5 });
  }
  return undefined;
}
