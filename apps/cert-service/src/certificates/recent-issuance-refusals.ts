/** How long a refusal makes the next issuance for the same account or key check before it signs. */
export const RECENT_REFUSAL_MS = 10 * 60_000;
const REMEMBERED = 10_000;

/**
 * Accounts and keys an issuance was recently refused for after signing (the account full, the key
 * compromised: the guard judges both in the statement that writes, after the signature). A request
 * for one of them is checked before signing, with a plain read, so a client repeating a refused
 * request costs a read each time instead of a signature and a discarded certificate. Only a hint: the
 * guard still decides every issuance; forgetting (age, the bound, another process) costs at most one
 * more signature.
 */
export class RecentIssuanceRefusals {
  private readonly at = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  noteAccount(accountKey: string): void {
    this.note(`a:${accountKey}`);
  }

  noteKey(spkiSha256: string): void {
    this.note(`k:${spkiSha256}`);
  }

  /** The account, then no longer refused (an issuance for it went through). */
  clearAccount(accountKey: string): void {
    this.at.delete(`a:${accountKey}`);
  }

  accountRefused(accountKey: string): boolean {
    return this.recent(`a:${accountKey}`);
  }

  keyRefused(spkiSha256: string): boolean {
    return this.recent(`k:${spkiSha256}`);
  }

  private note(key: string): void {
    this.at.delete(key);
    this.at.set(key, this.now());
    if (this.at.size > REMEMBERED) this.at.delete(this.at.keys().next().value!);
  }

  private recent(key: string): boolean {
    const at = this.at.get(key);
    if (at === undefined) return false;
    if (this.now() - at < RECENT_REFUSAL_MS) return true;
    this.at.delete(key);
    return false;
  }
}
