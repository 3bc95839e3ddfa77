import { NATIONAL_SCOPE, ProblemCode, ProblemError, regionLikePatterns, requestContext, scopeAllows, type RegionScope } from '@ecert/common';
import type { UkeyEntity } from './ukey.entity';

/** The regions a UKey belongs to: the office holding it and the unit whose certificates it holds. */
export function ukeyRegions(u: Pick<UkeyEntity, 'officeRegionCode' | 'regionCode'>): string[] {
  return [u.officeRegionCode, u.regionCode].filter((r): r is string => !!r);
}

/**
 * A caller sees and acts on a UKey when its scope covers the office holding it or the unit it
 * was issued to (a city office its dispatched keys, a county its units' keys); national stock (no
 * region yet) only a national caller.
 */
export function ukeyInScope(scope: RegionScope | undefined, u: Pick<UkeyEntity, 'officeRegionCode' | 'regionCode'>): boolean {
  const regions = ukeyRegions(u);
  return regions.length ? regions.some((r) => scopeAllows(scope, r)) : scopeAllows(scope, NATIONAL_SCOPE);
}

export function assertUkeyInScope(u: Pick<UkeyEntity, 'serial' | 'officeRegionCode' | 'regionCode'>, scope: RegionScope | undefined = requestContext.getStore()): void {
  if (ukeyInScope(scope, u)) return;
  // Not where it lies: a caller outside its regions has no business learning them.
  throw new ProblemError(403, ProblemCode.forbidden, '超出管辖区域 (outside your region)', `UKey ${u.serial} is outside your regions`);
}

/** SQL condition (alias `u`) limiting a list to the caller's UKeys, with its parameters; undefined = national. */
export function ukeyScopeCondition(scope: RegionScope | undefined = requestContext.getStore()): { sql: string; params: { scopePatterns: string[] } } | undefined {
  const patterns = regionLikePatterns(scope);
  if (!patterns) return undefined;
  return { sql: '(u.office_region_code LIKE ANY(:scopePatterns) OR u.region_code LIKE ANY(:scopePatterns))', params: { scopePatterns: patterns } };
}
