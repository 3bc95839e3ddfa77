import pg from 'pg';

/**
 * PostgreSQL "down" for one database without touching the machine's shared server: new
 * connections to the database are refused (ALLOW_CONNECTIONS false) and every existing one is
 * terminated, again and again, for `ms`. The services see what they would see of a dead server:
 * broken connections and refused connects.
 */
export async function cutDatabase(databaseUrl: string, ms: number): Promise<{ terminated: number }> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  if (!/^ecert_t[a-z0-9]+$/.test(name)) throw new Error(`refusing to cut database ${name}`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  let terminated = 0;
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const { rows } = await admin.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      terminated += rows[0].n;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    await admin.end();
  }
  return { terminated };
}

/**
 * A slow PostgreSQL: one transaction holds an ACCESS EXCLUSIVE lock on `table` for `ms`, so every
 * statement that touches it waits (up to the services' lock and statement timeouts).
 */
export async function holdLock(databaseUrl: string, table: string, ms: number): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    await new Promise((r) => setTimeout(r, ms));
    await c.query('COMMIT');
  } finally {
    await c.end();
  }
}
