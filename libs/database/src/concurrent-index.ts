import type { QueryRunner } from 'typeorm';

/**
 * The client-side read timeout of the build's own statements. The pool's `query_timeout`
 * (statement timeout + 2 s) would cut the build off however long the server allows it: and a
 * concurrent build waits for every older transaction in the database — other instances' and other
 * services' migrations when a deployment starts them together — so it can take minutes.
 */
const BUILD_READ_TIMEOUT_MS = 3_600_000;

type PgClient = { query(config: { text: string; query_timeout: number }): Promise<unknown> };

/**
 * CREATE INDEX CONCURRENTLY for a migration that runs outside a transaction
 * (`transaction = false`): a plain build locks a table of millions of certificates against writes
 * for seconds, and every OCSP answer, login and issuance behind it would hit its lock timeout.
 * The pool's statement timeout would cut a long build off, so it is lifted for the build, and the
 * lock wait raised (CONCURRENTLY waits for every open transaction on the table, each bounded by
 * the pool's own timeouts), and the client's read timeout too (BUILD_READ_TIMEOUT_MS). An index left
 * INVALID by an interrupted build is dropped and built again.
 */
export async function createIndexConcurrently(q: QueryRunner, schema: string, name: string, definition: string): Promise<void> {
  await q.query('SET statement_timeout = 0');
  await q.query(`SET lock_timeout = '60s'`);
  try {
    const invalid: unknown[] = await q.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND NOT i.indisvalid`,
      [schema, name],
    );
    // The query runner's own connection (TypeORM's PostgresQueryRunner.connect gives the pg client).
    const client = (await q.connect()) as PgClient;
    const long = (text: string) => client.query({ text, query_timeout: BUILD_READ_TIMEOUT_MS });
    if (invalid.length) await long(`DROP INDEX CONCURRENTLY "${schema}"."${name}"`);
    await long(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON ${definition}`);
  } finally {
    await q.query('RESET statement_timeout');
    await q.query('RESET lock_timeout');
  }
}
