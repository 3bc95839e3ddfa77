import type { UkeyAction, UkeyState } from '@ecert/contracts';

/**
 * The life of a UKey (the medium of a unit's certificates and seals), after Dogtag TPS (10.5+):
 * its token states (UNFORMATTED 7, FORMATTED 0, ACTIVE 4, SUSPENDED 3, PERM_LOST 2, DAMAGED 1,
 * TERMINATED 6) and `tokendb.allowedTransitions` (0:1,0:2,0:3,0:6,3:2,3:6,4:1,4:2,4:3,4:6,6:7),
 * with what HRSS adds before the token is in the handler's hands: assignment to an application,
 * dispatch in a batch to a city office, arrival there and collection by the handler (第十二条).
 *
 * | ecert                            | Dogtag TPS                                        |
 * |----------------------------------|---------------------------------------------------|
 * | in_stock                         | UNFORMATTED                                       |
 * | assigned                         | (none: reserved for one application)              |
 * | initialised                      | FORMATTED → enrolled (keys, certificates written)  |
 * | dispatched, at_office, collected | (none: HRSS logistics and hand-over)              |
 * | in_use                           | ACTIVE                                            |
 * | suspended                        | SUSPENDED (temporarily lost; 4:3)                 |
 * | perm_lost                        | PERM_LOST (3:2)                                   |
 * | damaged                          | DAMAGED (4:1)                                     |
 * | returned                         | (none: the damaged key is back at the office)     |
 * | terminated                       | TERMINATED (4:6, 3:6)                             |
 *
 * Differences: `found` (suspended → in_use) is an explicit action (TPS restores a suspended token
 * by an operation, not from its UI list); a key is declared permanently lost only after it was
 * reported lost (TPS allows 4:2 directly: here the certificates are on hold first, so a key
 * reported by mistake costs no revocation); and a terminated UKey is never reused (TPS's 6:7
 * re-formats one): a key that held a unit's keys is destroyed or goes back to its vendor.
 */
export const UKEY_TRANSITIONS: Readonly<Record<UkeyAction, { from: readonly UkeyState[]; to: UkeyState }>> = {
  assign: { from: ['in_stock'], to: 'assigned' },
  unassign: { from: ['assigned'], to: 'in_stock' },
  initialise: { from: ['assigned'], to: 'initialised' },
  dispatch: { from: ['initialised'], to: 'dispatched' },
  receive: { from: ['dispatched'], to: 'at_office' },
  collect: { from: ['at_office'], to: 'collected' },
  activate: { from: ['collected'], to: 'in_use' },
  report_lost: { from: ['collected', 'in_use'], to: 'suspended' },
  found: { from: ['suspended'], to: 'in_use' },
  declare_perm_lost: { from: ['suspended'], to: 'perm_lost' },
  report_damaged: { from: ['collected', 'in_use'], to: 'damaged' },
  return: { from: ['damaged'], to: 'returned' },
  // Not from in_stock/assigned (nothing was written on it: unassign instead) nor from the logistics
  // states (the key is in a parcel or a drawer: it is received first, then collected or terminated).
  terminate: { from: ['collected', 'in_use', 'suspended', 'damaged', 'returned', 'perm_lost'], to: 'terminated' },
};

/** States no action leaves. */
export const UKEY_TERMINAL_STATES: readonly UkeyState[] = ['terminated'];

export type UkeyTransitionPlan = { ok: true; from: UkeyState; to: UkeyState } | { ok: false; from: UkeyState; to: UkeyState; allowed: readonly UkeyState[]; message: string };

export function planUkeyTransition(action: UkeyAction, from: UkeyState): UkeyTransitionPlan {
  const t = UKEY_TRANSITIONS[action];
  if (!t.from.includes(from)) {
    return { ok: false, from, to: t.to, allowed: t.from, message: `${action} is not allowed for a UKey that is ${from} (allowed from: ${t.from.join(', ')})` };
  }
  return { ok: true, from, to: t.to };
}

/** Certificates on a UKey in these states are live in the handler's hands (or should be). */
export const UKEY_HELD_STATES: readonly UkeyState[] = ['collected', 'in_use'];

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The calendar date (YYYY-MM-DD) of an instant in China (Asia/Shanghai, UTC+8 all year, no DST). */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The last day of a UKey's warranty: one year from the day it was issued to the unit (collected,
 * 办理流程 二(五)), i.e. the same calendar date in China a year later. A key collected on 29 February
 * is covered until 28 February (a year has no 29th then; the warranty never runs past a year).
 */
export function ukeyWarrantyUntil(collectedAt: Date): string {
  const [y, m, d] = chinaDate(collectedAt).split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y + 1, m, 0)).getUTCDate();
  return `${y + 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/**
 * Whether a medium replacement asked for at `at` is inside the warranty ending `warrantyUntil`
 * (YYYY-MM-DD): the anniversary day itself is covered, the day after is not.
 */
export function isWithinUkeyWarranty(warrantyUntil: string | null | undefined, at: Date = new Date()): boolean {
  return !!warrantyUntil && chinaDate(at) <= warrantyUntil;
}

/** A UKey serial (the token's CK_TOKEN_INFO serialNumber or the vendor's label): 4–64 letters, digits or hyphens. */
export const UKEY_SERIAL_PATTERN = /^[0-9A-Za-z-]{4,64}$/;
