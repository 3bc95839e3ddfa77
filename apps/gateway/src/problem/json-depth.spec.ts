import { describe, expect, it } from 'vitest';
import { jsonDeeperThan } from './json-depth';

describe('jsonDeeperThan', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(jsonDeeperThan(1, 0)).toBe(false);
    expect(jsonDeeperThan({ a: [1, { b: 'x' }] }, 3)).toBe(false);
    expect(jsonDeeperThan({ a: [1, { b: 'x' }] }, 2)).toBe(true);
  });

  it('walks 100 000 levels without overflowing the stack (the body that made a 500)', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(jsonDeeperThan(deep, 32)).toBe(true);
  });
});
