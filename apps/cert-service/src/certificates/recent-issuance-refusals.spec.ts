import { describe, expect, it } from 'vitest';
import { RECENT_REFUSAL_MS, RecentIssuanceRefusals } from './recent-issuance-refusals';

describe('RecentIssuanceRefusals', () => {
  it('remembers a refused account and a refused key apart, for RECENT_REFUSAL_MS', () => {
    let now = 1_000_000;
    const r = new RecentIssuanceRefusals(() => now);
    r.noteAccount('account:U:1');
    r.noteKey('ab'.repeat(32));
    expect(r.accountRefused('account:U:1')).toBe(true);
    expect(r.accountRefused('account:U:2')).toBe(false);
    expect(r.keyRefused('ab'.repeat(32))).toBe(true);
    // Keys and accounts do not share a name space, whatever the strings.
    expect(r.keyRefused('account:U:1')).toBe(false);
    now += RECENT_REFUSAL_MS - 1;
    expect(r.accountRefused('account:U:1')).toBe(true);
    now += 1;
    expect(r.accountRefused('account:U:1')).toBe(false);
    expect(r.keyRefused('ab'.repeat(32))).toBe(false);
  });

  it('forgets an account once an issuance for it went through', () => {
    const r = new RecentIssuanceRefusals();
    r.noteAccount('account:U:1');
    r.clearAccount('account:U:1');
    expect(r.accountRefused('account:U:1')).toBe(false);
  });

  it('holds at most 10,000 entries, forgetting the oldest first', () => {
    const r = new RecentIssuanceRefusals();
    for (let i = 0; i <= 10_000; i++) r.noteAccount(`account:U:${i}`);
    expect(r.accountRefused('account:U:0')).toBe(false);
    expect(r.accountRefused('account:U:1')).toBe(true);
    expect(r.accountRefused('account:U:10000')).toBe(true);
  });
});
