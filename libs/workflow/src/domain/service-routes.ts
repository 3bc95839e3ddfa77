import type { ApplicationChannel, ReviewTier, ServiceType } from '@ecert/contracts';
import type { FulfilmentStepName } from './fulfilment-plan';

/**
 * How one service type goes through the platform: the review tiers in order, what happens on
 * acceptance (before any review), what carrying it out takes, and its limits in working days.
 * The table is data (docs/application-routes.md shows it); the seeds give the limits marked so,
 * the others are this platform's own policy and say so.
 */
export interface ServiceRoute {
  tiers: readonly ReviewTier[];
  /** Done the moment the application is accepted into review, before any reviewer looks (挂失). */
  onAcceptance: readonly FulfilmentStepName[];
  /** Undone when a review rejects it (a false report of loss must not keep a unit's key frozen). */
  onRejection: readonly FulfilmentStepName[];
  /** Carried out after the last tier approves, in order. */
  fulfilment: readonly FulfilmentStepName[];
  /** Working days from acceptance to completion (0 = the same working day). */
  limitWorkingDays: number;
  /** Where the limit comes from. */
  limitSource: string;
  /** Working days each tier's decision may take. */
  tierLimitWorkingDays: Readonly<Partial<Record<ReviewTier, number>>>;
}

const FULL_REVIEW: readonly ReviewTier[] = ['county', 'city', 'province'];
const TIER_DAYS = { county: 1, city: 2, province: 3 } as const;
const POLICY = 'ecert policy (the seeds set no limit for this type)';

const NEW_UKEY: readonly FulfilmentStepName[] = ['await_production', 'issue_certificate', 'make_seals', 'dispatch', 'await_collection'];
const REPLACEMENT_UKEY: readonly FulfilmentStepName[] = ['await_production', 'issue_certificate', 'make_seals', 'revoke_replaced', 'retire_replaced_ukey', 'dispatch', 'await_collection'];

const route = (r: Partial<ServiceRoute> & Pick<ServiceRoute, 'fulfilment' | 'limitWorkingDays' | 'limitSource'>): ServiceRoute => ({
  tiers: FULL_REVIEW,
  onAcceptance: [],
  onRejection: [],
  tierLimitWorkingDays: TIER_DAYS,
  ...r,
});

type RouteTable = Record<ServiceType, Partial<Record<ApplicationChannel, ServiceRoute>> & { on_site: ServiceRoute }>;

export const SERVICE_ROUTES: RouteTable = {
  // 第十条–第十二条: acceptance → city review → provincial approval → CA → city office → handler.
  apply: { on_site: route({ fulfilment: NEW_UKEY, limitWorkingDays: 15, limitSource: POLICY + '; as a reissue (办理流程 二(四): 后续制作和领取流程同新申请流程)' }) },
  additional: { on_site: route({ fulfilment: NEW_UKEY, limitWorkingDays: 15, limitSource: POLICY + '; as apply' }) },
  // 第十七条: renewal goes to the unit's own information office; the key is made anew on the same UKey.
  renew: { on_site: route({ tiers: ['city', 'province'], fulfilment: ['await_production', 'renew_certificate'], limitWorkingDays: 10, limitSource: POLICY }) },
  // 办理流程 二(三): on site the same day; by post to the provincial centre, 10 working days.
  change: {
    on_site: route({ fulfilment: REPLACEMENT_UKEY, limitWorkingDays: 0, limitSource: '办理流程 二(三)2 现场申请办理的，当日办理完毕', tierLimitWorkingDays: { county: 0, city: 0, province: 0 } }),
    by_post: route({ tiers: ['province'], fulfilment: REPLACEMENT_UKEY, limitWorkingDays: 10, limitSource: '办理流程 二(三)3 邮寄办理的…10个工作日内办理完毕', tierLimitWorkingDays: { province: 3 } }),
  },
  // A lost key stops being trusted on acceptance; review confirms it, a rejection lifts the freeze.
  report_loss: {
    on_site: route({ tiers: ['county', 'city'], onAcceptance: ['freeze_certificate'], onRejection: ['unfreeze_certificate'], fulfilment: [], limitWorkingDays: 1, limitSource: POLICY }),
  },
  restore: { on_site: route({ tiers: ['county', 'city'], fulfilment: ['unfreeze_certificate'], limitWorkingDays: 1, limitSource: POLICY }) },
  // 办理流程 二(四): by post to the provincial centre; production and collection as a new application; 15 working days.
  reissue: {
    on_site: route({ fulfilment: REPLACEMENT_UKEY, limitWorkingDays: 15, limitSource: '办理流程 二(四)3 遗失补办15个工作日内办理完毕' }),
    by_post: route({ tiers: ['province'], fulfilment: REPLACEMENT_UKEY, limitWorkingDays: 15, limitSource: '办理流程 二(四)3 遗失补办15个工作日内办理完毕', tierLimitWorkingDays: { province: 3 } }),
  },
  // 第十九条: permanent; reviewed to the province, which orders the CA.
  revoke: { on_site: route({ fulfilment: ['revoke_certificate'], limitWorkingDays: 5, limitSource: POLICY }) },
  // The PIN is reset at the CA operator's station under the administrator's control.
  unlock: { on_site: route({ tiers: ['county'], fulfilment: ['await_production'], limitWorkingDays: 1, limitSource: POLICY }) },
  // 第十八条 / 办理流程 二(五): reviewed by the own office, replaced by the provincial centre; 15 working days.
  medium_replacement: {
    // The damaged UKey is handed back at the counter (交回原Ukey) before the new one is handed over,
    // and retired only then.
    on_site: route({
      tiers: ['city', 'province'],
      fulfilment: ['mark_ukey_damaged', 'await_production', 'issue_certificate', 'make_seals', 'revoke_replaced', 'dispatch', 'await_collection', 'retire_replaced_ukey'],
      limitWorkingDays: 15,
      limitSource: '办理流程 二(五)3 更换15个工作日内办理完毕',
    }),
  },
};

/** The route of a type and channel; a channel the type has no route for is refused by the validator first. */
export function routeOf(type: ServiceType, channel: ApplicationChannel): ServiceRoute | undefined {
  return SERVICE_ROUTES[type]?.[channel];
}

export function channelsOf(type: ServiceType): ApplicationChannel[] {
  return Object.keys(SERVICE_ROUTES[type]) as ApplicationChannel[];
}
