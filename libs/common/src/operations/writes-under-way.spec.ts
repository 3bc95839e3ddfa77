import { describe, expect, it } from 'vitest';
import { WritesUnderWay } from './writes-under-way';

describe('WritesUnderWay', () => {
  it('settles once every write is done, including one started while waiting; a failed write does not throw', async () => {
    const w = new WritesUnderWay();
    const done: string[] = [];
    w.track(new Promise<void>((r) => setTimeout(() => (done.push('first'), r()), 20)).then(() => w.track(new Promise<void>((r) => setTimeout(() => (done.push('second'), r()), 20)))));
    w.track(Promise.reject(new Error('write failed')));
    await w.settled();
    expect(done).toEqual(['first', 'second']);
  });
});
