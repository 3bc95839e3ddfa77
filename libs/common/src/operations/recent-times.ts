/**
 * When each key was last marked, for at most `bound` keys: marking one moves it to the newest place,
 * and beyond the bound the oldest is forgotten. For hints that cost one more round of work when
 * forgotten (a refusal to check before signing, a write recently made), never for decisions.
 */
export class RecentTimes {
  private readonly at = new Map<string, number>();

  constructor(private readonly bound: number) {}

  mark(key: string, now: number): void {
    this.at.delete(key);
    this.at.set(key, now);
    if (this.at.size > this.bound) this.at.delete(this.at.keys().next().value!);
  }

  /** Whether `key` was marked less than `ms` before `now`; an older mark is forgotten. */
  within(key: string, ms: number, now: number): boolean {
    const at = this.at.get(key);
    if (at === undefined) return false;
    if (now - at < ms) return true;
    this.at.delete(key);
    return false;
  }

  markedAt(key: string): number | undefined {
    return this.at.get(key);
  }

  forget(key: string): void {
    this.at.delete(key);
  }
}
