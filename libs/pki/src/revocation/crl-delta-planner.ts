import type { CrlEntry } from './crl-builder';
import { RevocationInputError } from './revocation-input-error';
import { serialKey } from './serial-number';

export interface DeltaPlanInput {
  /** Entries the referenced complete (base) CRL listed, keyed by serial (any form {@link serialKey} accepts). */
  baseListed: ReadonlyMap<string, CrlEntry>;
  /** Entries a complete CRL issued now would list (revoked and on hold), keyed by serial. */
  current: ReadonlyMap<string, CrlEntry>;
  /**
   * Serials that left `current` because their certificate expired (and so left the complete CRL),
   * not because a hold was lifted. A permanently revoked serial may leave only this way.
   */
  expired?: ReadonlySet<string>;
  /** Issue time of the delta CRL: the revocationDate written on removeFromCRL entries. */
  at: Date;
}

/**
 * What a delta CRL must list so that base CRL + delta = the complete CRL at `at` (RFC 5280
 * §5.2.4, X.509 §8.6): the diff of two snapshots, not a replay of history. A relying party only
 * ever sees the base and the delta, so a status that flipped and flipped back between them
 * (a hold placed and lifted after the base) is invisible and correctly absent. The rules:
 *
 * - listed now, not in the base (revoked or held since the base) → listed as it is now;
 * - listed in both but changed (hold turned into a revocation, re-held at another time,
 *   new invalidity date) → listed as it is now;
 * - in the base, not now: a lifted hold, or an expired certificate → `removeFromCRL`;
 *   a permanent revocation that is neither held nor expired cannot disappear → error, since
 *   un-revoking is not a thing and such a state means the caller's data is wrong.
 *
 * Output order: current entries in map order, then removals in base order (deterministic bytes).
 */
export function planDeltaEntries(input: DeltaPlanInput): CrlEntry[] {
  const { at } = input;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RevocationInputError('at', 'invalid date');
  const base = rekey(input.baseListed, 'baseListed');
  const current = rekey(input.current, 'current');
  const expired = new Set<string>();
  for (const s of input.expired ?? []) expired.add(serialKey(s));

  const delta: CrlEntry[] = [];
  for (const [key, now] of current) {
    const before = base.get(key);
    if (!before || !sameListing(before, now)) delta.push(now);
  }
  for (const [key, before] of base) {
    if (current.has(key)) continue;
    if (before.reason !== 'certificateHold' && !expired.has(key)) {
      throw new RevocationInputError(
        `baseListed.${key}`,
        `serial ${key} was revoked (${before.reason ?? 'unspecified'}) in the base CRL and is neither current nor expired`,
        '已吊销证书不能从 CRL 中移除',
      );
    }
    delta.push({ serial: before.serial, revokedAt: at, reason: 'removeFromCRL' });
  }
  return delta;
}

function rekey(map: ReadonlyMap<string, CrlEntry>, field: string): Map<string, CrlEntry> {
  const out = new Map<string, CrlEntry>();
  for (const [k, entry] of map) {
    const key = serialKey(k);
    if (serialKey(entry.serial) !== key) {
      throw new RevocationInputError(`${field}.${k}`, 'map key and entry serial differ');
    }
    if (entry.reason === 'removeFromCRL') {
      throw new RevocationInputError(`${field}.${k}`, 'a complete CRL state cannot contain removeFromCRL');
    }
    if (out.has(key)) throw new RevocationInputError(`${field}.${k}`, 'serial appears twice');
    out.set(key, entry);
  }
  return out;
}

/** Same listing as far as the CRL bytes go (times compared at the encoded one-second precision). */
function sameListing(a: CrlEntry, b: CrlEntry): boolean {
  return (
    (a.reason ?? 'unspecified') === (b.reason ?? 'unspecified') &&
    seconds(a.revokedAt) === seconds(b.revokedAt) &&
    seconds(a.invalidityDate) === seconds(b.invalidityDate) &&
    a.holdInstruction === b.holdInstruction
  );
}

const seconds = (d: Date | undefined): number | undefined => (d ? Math.floor(d.getTime() / 1000) : undefined);
