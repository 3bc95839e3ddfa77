import type { EcertConfig } from '@ecert/common';

/**
 * Bounds on every wait a service can meet in PostgreSQL. With them a stuck request fails with a
 * clean problem and gives its connection back, so the service heals by itself instead of wedging.
 */
export interface DatabaseLimits {
  poolSize: number;
  /** Waiting for a pooled connection (pool exhausted) or for a new one to connect. */
  acquireTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_DATABASE_LIMITS: DatabaseLimits = {
  poolSize: 10,
  acquireTimeoutMs: 3000,
  statementTimeoutMs: 15_000,
  lockTimeoutMs: 3000,
  idleInTransactionTimeoutMs: 10_000,
};

export function databaseLimits(config: EcertConfig): DatabaseLimits {
  return {
    poolSize: config.DATABASE_POOL_SIZE,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** node-postgres client settings that apply the limits to every connection of a pool. */
export function pgConnectionSettings(limits: DatabaseLimits) {
  return {
    connectionTimeoutMillis: limits.acquireTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    // The server-side timeouts cannot fire if the server is unreachable: cut the wait here too.
    query_timeout: limits.statementTimeoutMs + 2000,
    keepAlive: true,
  };
}
