import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseProblem } from './database-problem';
import { createServiceDataSource } from './service-data-source';

const pgError = (message: string, code: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });

describe('databaseProblem', () => {
  it('classifies a database closed to connections (ALLOW_CONNECTIONS false) as unavailable, like a stopped server', () => {
    expect(databaseProblem(pgError('database "ecert" is not currently accepting connections', '55000'))).toMatchObject({ status: 503, code: 'database_unavailable' });
    expect(databaseProblem(pgError('terminating connection due to administrator command', '57P01'))).toMatchObject({ status: 503, code: 'database_unavailable' });
  });

  it('leaves other errors of the same SQLSTATE class unclassified (they stay internal errors)', () => {
    expect(databaseProblem(pgError('cannot refresh materialized view concurrently', '55000'))).toBeUndefined();
  });

  it("classifies only the database's errors: a Redis or HTTP client's ECONNREFUSED is not the database down", async () => {
    const redisLike = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:6379'), { code: 'ECONNREFUSED', syscall: 'connect' });
    expect(databaseProblem(redisLike)).toBeUndefined();
    expect(databaseProblem(new Error('fetch failed: ECONNREFUSED'))).toBeUndefined();
    // The same refusal from the pool of a service data source is the database unreachable.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const ds = createServiceDataSource({ url: `postgres://nobody@127.0.0.1:${port}/none`, schema: 'x', entities: [], migrations: [] });
    const refused = await ds.initialize().then(() => undefined, (e: unknown) => e);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
    expect(databaseProblem(refused)).toMatchObject({ status: 503, code: 'database_unavailable' });
  });
});
