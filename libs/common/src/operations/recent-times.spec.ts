import { describe, expect, it } from 'vitest';
import { RecentTimes } from './recent-times';

describe('RecentTimes', () => {
  it('answers within the window, forgets older marks, and evicts the least recently marked beyond its bound', () => {
    const r = new RecentTimes(2);
    r.mark('a', 100);
    r.mark('b', 110);
    r.mark('a', 120); // a is now the newest
    r.mark('c', 130); // evicts b
    expect(r.within('b', 1000, 130)).toBe(false);
    expect(r.within('a', 1000, 130)).toBe(true);
    expect(r.markedAt('c')).toBe(130);
    expect(r.within('a', 11, 130)).toBe(true);
    expect(r.within('a', 10, 130)).toBe(false);
    expect(r.markedAt('a')).toBeUndefined();
    r.forget('c');
    expect(r.markedAt('c')).toBeUndefined();
  });
});
