import { ProblemCode, ProblemError } from '../problem';
import { isWithinRegion } from '../validation/region-code.validator';

/**
 * The regions a caller acts for. `undefined` regions means unrestricted (a national operator);
 * otherwise a target must lie within one of them (450000 covers 4501xx, 450100 covers 450102).
 */
export interface RegionScope {
  regions?: string[];
}

export function scopeAllows(scope: RegionScope | undefined, regionCode: string): boolean {
  if (!scope?.regions) return true;
  return scope.regions.some((r) => isWithinRegion(r, regionCode));
}

export function assertInScope(scope: RegionScope | undefined, regionCode: string, what: string): void {
  if (!scopeAllows(scope, regionCode)) {
    throw new ProblemError(403, ProblemCode.forbidden, '超出管辖区域 (outside your region)', `${what} belongs to region ${regionCode}, outside ${scope!.regions!.join(', ')}`);
  }
}

/** SQL LIKE prefixes equivalent to a scope, for filtering lists in the database. */
export function regionLikePatterns(scope: RegionScope | undefined): string[] | undefined {
  if (!scope?.regions) return undefined;
  return scope.regions.map((r) => (r.endsWith('0000') ? `${r.slice(0, 2)}%` : r.endsWith('00') ? `${r.slice(0, 4)}%` : r));
}
