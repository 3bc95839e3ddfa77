import { describe, expect, it } from 'vitest';
import { BoundedLookup, LookupTimeout, type ResolvedAddress } from './bounded-lookup';

/** A resolver whose answers the test releases by hand. */
function manualResolver() {
  const pending: { host: string; answer: (a: ResolvedAddress[]) => void }[] = [];
  return { pending, raw: (host: string) => new Promise<ResolvedAddress[]>((answer) => pending.push({ host, answer })) };
}

describe('bounded name lookups', () => {
  it('answers what the resolver answers', async () => {
    const l = new BoundedLookup(async () => [{ address: '8.8.8.8', family: 4 }], { timeoutMs: 1000, maxConcurrent: 2 });
    await expect(l.lookup('example.cn')).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it('gives up at the deadline, and the hanging lookup keeps its slot until it returns', async () => {
    const r = manualResolver();
    const l = new BoundedLookup(r.raw, { timeoutMs: 50, maxConcurrent: 1 });
    await expect(l.lookup('slow.example.cn')).rejects.toBeInstanceOf(LookupTimeout);
    expect(l.inFlight).toBe(1);
    // A second lookup waits for the slot (never a second raw lookup), and times out too.
    await expect(l.lookup('other.example.cn')).rejects.toBeInstanceOf(LookupTimeout);
    expect(r.pending.map((p) => p.host)).toEqual(['slow.example.cn']);
    r.pending[0].answer([]);
    await new Promise((res) => setImmediate(res));
    expect(l.inFlight).toBe(0);
    const third = l.lookup('third.example.cn');
    await new Promise((res) => setImmediate(res));
    expect(r.pending.map((p) => p.host)).toEqual(['slow.example.cn', 'third.example.cn']);
    r.pending[1].answer([{ address: '1.1.1.1', family: 4 }]);
    await expect(third).resolves.toEqual([{ address: '1.1.1.1', family: 4 }]);
  });

  it('runs at most maxConcurrent raw lookups at once', async () => {
    const r = manualResolver();
    const l = new BoundedLookup(r.raw, { timeoutMs: 5000, maxConcurrent: 2 });
    const all = ['a', 'b', 'c', 'd'].map((h) => l.lookup(`${h}.example.cn`));
    await new Promise((res) => setImmediate(res));
    expect(r.pending).toHaveLength(2);
    r.pending[0].answer([]);
    await new Promise((res) => setImmediate(res));
    expect(r.pending).toHaveLength(3);
    for (const p of r.pending.slice(1)) p.answer([]);
    await new Promise((res) => setImmediate(res));
    r.pending[3].answer([]);
    await Promise.all(all);
    expect(l.inFlight).toBe(0);
  });
});
