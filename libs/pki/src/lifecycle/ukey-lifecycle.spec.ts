import { describe, expect, it } from 'vitest';
import { UKEY_ACTIONS, UKEY_STATES, type UkeyAction, type UkeyState } from '@ecert/contracts';
import { chinaDate, isWithinUkeyWarranty, planUkeyTransition, UKEY_TERMINAL_STATES, UKEY_TRANSITIONS, ukeyWarrantyUntil } from './ukey-lifecycle';

describe('UKey lifecycle', () => {
  it.each([
    ['assign', 'in_stock', 'assigned'],
    ['unassign', 'assigned', 'in_stock'],
    ['initialise', 'assigned', 'initialised'],
    ['dispatch', 'initialised', 'dispatched'],
    ['receive', 'dispatched', 'at_office'],
    ['collect', 'at_office', 'collected'],
    ['activate', 'collected', 'in_use'],
    ['report_lost', 'collected', 'suspended'],
    ['report_lost', 'in_use', 'suspended'],
    ['found', 'suspended', 'in_use'],
    ['declare_perm_lost', 'suspended', 'perm_lost'],
    ['report_damaged', 'collected', 'damaged'],
    ['report_damaged', 'in_use', 'damaged'],
    ['return', 'damaged', 'returned'],
    ['terminate', 'in_use', 'terminated'],
    ['terminate', 'perm_lost', 'terminated'],
    ['terminate', 'returned', 'terminated'],
  ] as const)('%s from %s goes to %s', (action, from, to) => {
    expect(planUkeyTransition(action, from)).toEqual({ ok: true, from, to });
  });

  it('refuses every other pair, naming from, to and the states allowed', () => {
    let refused = 0;
    for (const action of UKEY_ACTIONS) {
      for (const from of UKEY_STATES) {
        const plan = planUkeyTransition(action, from);
        if (UKEY_TRANSITIONS[action].from.includes(from)) continue;
        refused++;
        expect(plan).toMatchObject({ ok: false, from, to: UKEY_TRANSITIONS[action].to, allowed: UKEY_TRANSITIONS[action].from });
        if (!plan.ok) expect(plan.message).toContain(`${action} is not allowed for a UKey that is ${from}`);
      }
    }
    expect(refused).toBeGreaterThan(120);
  });

  it('never leaves terminated, never reaches in_stock but by unassign, and every state is reachable', () => {
    for (const action of UKEY_ACTIONS) expect(planUkeyTransition(action, 'terminated').ok).toBe(false);
    expect(UKEY_TERMINAL_STATES).toEqual(['terminated']);
    const toStock = (Object.entries(UKEY_TRANSITIONS) as [UkeyAction, { to: UkeyState }][]).filter(([, t]) => t.to === 'in_stock').map(([a]) => a);
    expect(toStock).toEqual(['unassign']);
    const reachable = new Set<UkeyState>(['in_stock']);
    for (let changed = true; changed; ) {
      changed = false;
      for (const t of Object.values(UKEY_TRANSITIONS)) {
        if (t.from.some((f) => reachable.has(f)) && !reachable.has(t.to)) reachable.add(t.to), (changed = true);
      }
    }
    expect([...reachable].sort()).toEqual([...UKEY_STATES].sort());
  });

  it('does not terminate a key that was never written or is in transit', () => {
    for (const from of ['in_stock', 'assigned', 'initialised', 'dispatched', 'at_office'] as const) expect(planUkeyTransition('terminate', from).ok).toBe(false);
  });
});

describe('UKey warranty', () => {
  it('runs one year from the day of collection, in China', () => {
    expect(ukeyWarrantyUntil(new Date('2026-03-15T02:00:00Z'))).toBe('2027-03-15');
    // 01:00 on the 15th in Beijing is still the 14th in UTC: the Chinese date counts.
    expect(ukeyWarrantyUntil(new Date('2026-03-14T17:00:00Z'))).toBe('2027-03-15');
    expect(ukeyWarrantyUntil(new Date('2026-12-31T16:30:00Z'))).toBe('2028-01-01');
    expect(chinaDate(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12-31');
  });

  it('ends on 28 February after a collection on 29 February', () => {
    expect(ukeyWarrantyUntil(new Date('2028-02-29T04:00:00Z'))).toBe('2029-02-28');
    expect(ukeyWarrantyUntil(new Date('2027-02-28T04:00:00Z'))).toBe('2028-02-28');
  });

  it('covers the anniversary day and not the day after', () => {
    const until = ukeyWarrantyUntil(new Date('2026-03-15T02:00:00Z'));
    expect(isWithinUkeyWarranty(until, new Date('2026-03-15T03:00:00Z'))).toBe(true);
    expect(isWithinUkeyWarranty(until, new Date('2027-03-14T10:00:00Z'))).toBe(true);
    expect(isWithinUkeyWarranty(until, new Date('2027-03-15T15:59:59Z'))).toBe(true); // 23:59:59 in Beijing
    expect(isWithinUkeyWarranty(until, new Date('2027-03-15T16:00:00Z'))).toBe(false); // 00:00 on the 16th
    expect(isWithinUkeyWarranty(until, new Date('2027-03-16T02:00:00Z'))).toBe(false);
    expect(isWithinUkeyWarranty(null)).toBe(false);
  });
});
