import { describe, expect, it } from 'vitest';
import { databaseProblem } from './database-problem';

const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('databaseProblem', () => {
  it('classifies a database closed to connections (ALLOW_CONNECTIONS false) as unavailable, like a stopped server', () => {
    expect(databaseProblem(pgError('database "ecert" is not currently accepting connections', '55000'))).toMatchObject({ status: 503, code: 'database_unavailable' });
    expect(databaseProblem(pgError('terminating connection due to administrator command', '57P01'))).toMatchObject({ status: 503, code: 'database_unavailable' });
  });

  it('leaves other errors of the same SQLSTATE class unclassified (they stay internal errors)', () => {
    expect(databaseProblem(pgError('cannot refresh materialized view concurrently', '55000'))).toBeUndefined();
  });
});
