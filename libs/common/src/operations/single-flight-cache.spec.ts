import { describe, expect, it } from 'vitest';
import { SingleFlightCache } from './single-flight-cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SingleFlightCache', () => {
  it('computes once for concurrent askers of a key, and reuses the result within the TTL', async () => {
    let now = 1_000;
    const cache = new SingleFlightCache<number>(30_000, 10, () => now);
    let runs = 0;
    const d = deferred<number>();
    const compute = () => (runs++, d.promise);
    const all = Promise.all([cache.get('a', compute), cache.get('a', compute), cache.get('a', compute)]);
    await Promise.resolve();
    d.resolve(7);
    expect(await all).toEqual([7, 7, 7]);
    expect(runs).toBe(1);
    now += 29_999;
    expect(await cache.get('a', async () => (runs++, 8))).toBe(7);
    now += 1;
    expect(await cache.get('a', async () => (runs++, 8))).toBe(8);
    expect(runs).toBe(2);
  });

  it('keeps keys apart', async () => {
    const cache = new SingleFlightCache<string>(30_000);
    expect(await cache.get('000000|10', async () => 'national')).toBe('national');
    expect(await cache.get('450100|10', async () => 'regional')).toBe('regional');
    expect(await cache.get('000000|10', async () => 'again')).toBe('national');
  });

  it('shares a failure with those waiting but does not keep it', async () => {
    const cache = new SingleFlightCache<number>(30_000);
    const failing = async () => {
      throw new Error('down');
    };
    await expect(Promise.all([cache.get('k', failing), cache.get('k', failing)])).rejects.toThrow('down');
    expect(await cache.get('k', async () => 1)).toBe(1);
  });

  it('with a TTL of 0 still shares a computation in flight, then forgets it', async () => {
    const cache = new SingleFlightCache<number>(0);
    let runs = 0;
    const d = deferred<number>();
    const first = cache.get('k', () => (runs++, d.promise));
    const second = cache.get('k', () => (runs++, d.promise));
    d.resolve(1);
    expect([await first, await second]).toEqual([1, 1]);
    expect(await cache.get('k', async () => (runs++, 2))).toBe(2);
    expect(runs).toBe(2);
  });

  it('keeps at most maxKeys results', async () => {
    const cache = new SingleFlightCache<number>(30_000, 2);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    await cache.get('c', async () => 3);
    expect(await cache.get('a', async () => 10)).toBe(10);
    expect(await cache.get('c', async () => 30)).toBe(3);
  });
});
