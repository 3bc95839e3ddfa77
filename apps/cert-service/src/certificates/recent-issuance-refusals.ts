import { RecentTimes } from '@ecert/common';

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
  private readonly at = new RecentTimes(REMEMBERED);

  constructor(private readonly now: () => number = Date.now) {}

  noteAccount(accountKey: string): void {
    this.at.mark(`a:${accountKey}`, this.now());
  }

  noteKey(spkiSha256: string): void {
    this.at.mark(`k:${spkiSha256}`, this.now());
  }

  /** The account, then no longer refused (an issuance for it went through). */
  clearAccount(accountKey: string): void {
    this.at.forget(`a:${accountKey}`);
  }

  accountRefused(accountKey: string): boolean {
    return this.at.within(`a:${accountKey}`, RECENT_REFUSAL_MS, this.now());
  }

  keyRefused(spkiSha256: string): boolean {
    return this.at.within(`k:${spkiSha256}`, RECENT_REFUSAL_MS, this.now());
  }
}
