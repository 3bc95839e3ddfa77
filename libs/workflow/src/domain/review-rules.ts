import { NATIONAL_SCOPE, ProblemCode, ProblemError, scopeAllows } from '@ecert/common';
import type { ReviewTier } from '@ecert/contracts';

/** The staff role that decides at each tier (第十条, 第十一条). */
export const TIER_ROLE: Readonly<Record<ReviewTier, string>> = {
  county: 'county_acceptor',
  city: 'city_reviewer',
  province: 'province_approver',
};

/** Who is acting, as the verified bus context says. */
export interface Actor {
  staffId?: string;
  clientId?: string;
  role?: string;
  regions: readonly string[];
}

/** What the rules need to know of an application to judge a reviewer. */
export interface ReviewSubject {
  regionCode: string;
  tier?: ReviewTier;
  filedByStaffId: string | null;
  /** Staff who decided at earlier tiers in this application. */
  decidedBy: readonly { tier: ReviewTier; staffId: string | null }[];
}

const forbidden = (code: string, detail: string) => new ProblemError(403, code, '无权审核 (not permitted to decide)', detail);

/**
 * May this actor decide at the application's current tier? Only staff (never a client system) of
 * the tier's role, within their region (a county acceptor of 370481 on units of 370481, a city
 * reviewer of 450100 on 4501xx, a provincial approver on 45xxxx), never on what they filed
 * themselves, and never at two tiers of one application (four eyes, 四眼原则).
 */
export function assertMayDecide(actor: Actor, app: ReviewSubject): ReviewTier {
  if (!actor.staffId) throw forbidden(ProblemCode.forbidden, 'decisions are made by staff logged in with their certificate, not by client systems');
  const tier = app.tier;
  if (!tier) throw ProblemError.conflict(ProblemCode.illegalTransition, 'the application is not waiting for a decision');
  if (actor.role !== TIER_ROLE[tier]) throw forbidden('wrong_tier', `the ${tier} tier is decided by a ${TIER_ROLE[tier]}, not a ${actor.role ?? 'caller without a role'}`);
  assertTierScope(actor, tier, app.regionCode);
  if (app.filedByStaffId && app.filedByStaffId === actor.staffId) throw forbidden('four_eyes', '不得审核本人受理的申请 / nobody decides on an application they filed themselves');
  if (app.decidedBy.some((d) => d.staffId === actor.staffId && d.tier !== tier)) {
    throw forbidden('four_eyes', '同一人不得在两级审核 / one person does not decide at two tiers of one application');
  }
  return tier;
}

/** Scope levels that may act at each tier: acceptance happens at county or city acceptance points. */
const TIER_SCOPE_LEVELS: Readonly<Record<ReviewTier, readonly ReviewTier[]>> = { county: ['county', 'city'], city: ['city'], province: ['province'] };

/**
 * Region scope for a tier: the scope must cover the unit's region, and a tier acts only at its
 * own level — a county code cannot approve for its city, a city code not for the province.
 */
export function assertTierScope(actor: Actor, tier: ReviewTier, regionCode: string): void {
  const regions = actor.regions.filter((r) => r === NATIONAL_SCOPE || TIER_SCOPE_LEVELS[tier].includes(levelOf(r)));
  if (!scopeAllows({ regions }, regionCode)) {
    const held = actor.regions.length ? actor.regions.join(', ') : 'no region scope';
    throw new ProblemError(403, ProblemCode.forbidden, '超出管辖区域 (outside your region)', `the unit's region ${regionCode} is outside your ${tier} scope (${held})`);
  }
}

function levelOf(code: string): ReviewTier {
  return code.endsWith('0000') ? 'province' : code.endsWith('00') ? 'city' : 'county';
}
