import { describe, expect, it } from 'vitest';
import { ProblemError } from '../problem';
import { overviewBounds } from './overview-bounds';

describe('overviewBounds', () => {
  it('defaults what is missing', () => {
    expect(overviewBounds(undefined)).toEqual({ top: 10, renewalWindowDays: 30 });
    expect(overviewBounds({ top: '', renewalWindowDays: null })).toEqual({ top: 10, renewalWindowDays: 30 });
  });

  it('takes numbers and digit strings within the bounds', () => {
    expect(overviewBounds({ top: '50', renewalWindowDays: 1 })).toEqual({ top: 50, renewalWindowDays: 1 });
  });

  it.each([
    [{ top: 0 }, 'top'],
    [{ top: 51 }, 'top'],
    [{ top: '1.5' }, 'top'],
    [{ top: 'ten' }, 'top'],
    [{ renewalWindowDays: 367 }, 'renewalWindowDays'],
    [{ renewalWindowDays: -1 }, 'renewalWindowDays'],
    [{ renewalWindowDays: [3] }, 'renewalWindowDays'],
  ])('refuses %j naming the field', (q, field) => {
    try {
      overviewBounds(q);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemError);
      expect((e as ProblemError).status).toBe(400);
      expect(JSON.stringify((e as ProblemError).toProblem('r'))).toContain(field);
    }
  });
});
