/**
 * Name lookups for webhook targets with a deadline and a cap on how many run at once. dns.lookup
 * (getaddrinfo, which also reads /etc/hosts) runs on libuv's small thread pool and has no timeout:
 * a slow resolver would otherwise take every thread (file I/O, crypto) for as long as it hangs.
 * A lookup that misses its deadline keeps its slot until it really returns, so the cap bounds the
 * threads taken, not only the callers waiting.
 */
export interface ResolvedAddress {
  address: string;
  family: number;
}

export type RawLookup = (host: string) => Promise<ResolvedAddress[]>;

export class LookupTimeout extends Error {
  constructor(host: string, ms: number) {
    super(`lookup of ${host} took longer than ${ms} ms`);
  }
}

export class BoundedLookup {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly raw: RawLookup,
    private readonly opts: { timeoutMs: number; maxConcurrent: number },
  ) {}

  /** How many raw lookups are under way (also ones whose callers gave up). */
  get inFlight(): number {
    return this.running;
  }

  lookup(host: string): Promise<ResolvedAddress[]> {
    return new Promise<ResolvedAddress[]>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        const i = this.waiting.indexOf(start);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new LookupTimeout(host, this.opts.timeoutMs));
      }, this.opts.timeoutMs);
      const start = () => {
        this.running++;
        this.raw(host).then(
          (a) => {
            if (!settled) (settled = true), clearTimeout(timer), resolve(a);
          },
          (e: unknown) => {
            if (!settled) (settled = true), clearTimeout(timer), reject(e);
          },
        ).finally(() => {
          this.running--;
          this.waiting.shift()?.();
        });
      };
      if (this.running < this.opts.maxConcurrent) start();
      else this.waiting.push(start);
    });
  }
}
