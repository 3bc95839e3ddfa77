/**
 * Expensive reads the operators' view answers (the overview's scans, a platform-wide scrape):
 * concurrent askers of the same key share one computation (single flight), and its result is
 * reused for `ttlMs` afterwards. A failure is shared by those waiting on it but never kept.
 * At most `maxKeys` results are kept (the oldest go first), so distinct keys cannot grow memory.
 */
export class SingleFlightCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = 256,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    // An entry whose time is 0 is still being computed; the rest are fresh for ttlMs.
    if (hit && (hit.at === 0 || this.now() - hit.at < this.ttlMs)) return hit.value;
    const entry = { at: 0, value: Promise.resolve().then(compute) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    entry.value.then(
      () => {
        if (this.entries.get(key) !== entry) return;
        if (this.ttlMs > 0) entry.at = this.now();
        else this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }
}
