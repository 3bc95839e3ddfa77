import { createHash } from 'node:crypto';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager } from 'typeorm';

/** pg's client, as far as this needs it. */
interface PgClient {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();
/** Beyond this many distinct texts (a statement built with a varying shape) names are not remembered: nothing grows without bound. */
const NAMES_MAX = 2048;

/** One name per statement text, for as long as the process runs: pg refuses a name reused for another text. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `ecert_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    if (names.size < NAMES_MAX) names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` with `values` as a named prepared statement on the manager's connection (its
 * transaction's, or one from the pool for the call): PostgreSQL then parses and plans a hot
 * statement once per connection instead of on every call (measured: 150 → 70–100 µs of the
 * server's CPU for an inbox insert). Answers the rows, whatever the command; errors come as
 * TypeORM's QueryFailedError, as from `manager.query`, but an UPDATE answers its rows alone (not
 * manager.query's [rows, count]). Use it for statements of a fixed text (or of a few shapes, such as
 * a multi-row insert by row count), never for text built from input. A migration that changes the
 * type of a column such a statement returns makes PostgreSQL refuse the cached plan on connections
 * that prepared it (0A000): restart the services after one (docs/decisions.md).
 */
export async function preparedQuery<T>(m: EntityManager, text: string, values: readonly unknown[]): Promise<T[]> {
  // A transaction's runner after its end: its client may belong to another transaction by now.
  if (m.queryRunner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  const own = !m.queryRunner;
  try {
    const client = (await runner.connect()) as PgClient;
    try {
      return (await client.query({ name: statementName(text), text, values })).rows as T[];
    } catch (e) {
      // Every failure, as TypeORM wraps them (a dropped connection or a read timeout too), so
      // databaseProblem classifies it as it does for manager.query.
      throw new QueryFailedError(text, values as unknown[], e instanceof Error ? e : new Error(String(e)));
    }
  } finally {
    if (own) await runner.release();
  }
}
