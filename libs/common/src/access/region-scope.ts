import { ProblemCode, ProblemError } from '../problem';
import { isWithinRegion } from '../validation/region-code.validator';

/** Region code of national scope: a caller holding it acts for every region. */
export const NATIONAL_SCOPE = '000000';

/**
 * The regions a caller acts for: a target must lie within one of them (450000 covers 4501xx,
 * 450100 covers 450102; 000000 covers all). No scope, or an empty one, allows nothing: national
 * power is always stated, never implied by a missing field.
 */
export interface RegionScope {
  regions?: string[];
}

export function scopeAllows(scope: RegionScope | undefined, regionCode: string): boolean {
  const regions = scope?.regions ?? [];
  if (regions.includes(NATIONAL_SCOPE)) return true;
  return regions.some((r) => isWithinRegion(r, regionCode));
}

export function assertInScope(scope: RegionScope | undefined, regionCode: string, what: string): void {
  if (!scopeAllows(scope, regionCode)) {
    // Not the other region's code: a caller outside it has no business learning where it lies.
    throw new ProblemError(403, ProblemCode.forbidden, '超出管辖区域 (outside your region)', scope?.regions?.length ? `${what} is outside your regions` : `${what} is outside your regions (you have no region scope)`);
  }
}

/** The SQL LIKE pattern of a region and everything in it (450000 → 45%, 450100 → 4501%, 450102 → itself). */
export function regionLikePattern(code: string): string {
  return code.endsWith('0000') ? `${code.slice(0, 2)}%` : code.endsWith('00') ? `${code.slice(0, 4)}%` : code;
}

/**
 * SQL LIKE prefixes equivalent to a scope, for filtering lists in the database: undefined for
 * national scope (no filter), an empty list (matches nothing) for no scope.
 */
export function regionLikePatterns(scope: RegionScope | undefined): string[] | undefined {
  const regions = scope?.regions ?? [];
  if (regions.includes(NATIONAL_SCOPE)) return undefined;
  return regions.map(regionLikePattern);
}
