import type { QueryRunner } from 'typeorm';

/**
 * CREATE INDEX CONCURRENTLY for a migration that runs outside a transaction
 * (`transaction = false`): a plain build locks a table of millions of certificates against writes
 * for seconds, and every OCSP answer, login and issuance behind it would hit its lock timeout.
 * The pool's statement timeout would cut a long build off, so it is lifted for the build, and the
 * lock wait raised (CONCURRENTLY waits for every open transaction on the table, each bounded by
 * the pool's own timeouts). An index left INVALID by an interrupted build is dropped and built again.
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
    if (invalid.length) await q.query(`DROP INDEX CONCURRENTLY "${schema}"."${name}"`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON ${definition}`);
  } finally {
    await q.query('RESET statement_timeout');
    await q.query('RESET lock_timeout');
  }
}
