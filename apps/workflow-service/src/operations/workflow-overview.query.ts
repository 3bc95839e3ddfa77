import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { overviewBounds, ProblemCode, ProblemError, regionLikePatterns, requestContext } from '@ecert/common';
import type { OperationsOverviewQuery, ReviewTier, WorkflowOperationsOverview } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { SLA_BREACH_SQL } from './sla-breach.sql';

/** The workflow-service's part of the operators' overview, within the caller's region scope. */
@Injectable()
export class WorkflowOverviewQuery {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: OperationsOverviewQuery | undefined): Promise<WorkflowOperationsOverview> {
    const ctx = requestContext.getStore();
    // The bus admitted the gateway's request for a holder of operations:read; checked here again.
    if (!ctx?.operations?.includes('operations:read')) throw new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', "The overview needs 'operations:read'");
    const { top } = overviewBounds(q);
    const patterns = regionLikePatterns({ regions: [...(ctx.regions ?? [])] });
    const scope = patterns === undefined ? 'TRUE' : `a.region_code LIKE ANY($1::text[])`;
    const params = patterns === undefined ? [] : [patterns];
    const n = params.length + 1;

    const breaches: { tier: ReviewTier | 'none'; region_code: string; count: number }[] = await this.ds.query(
      `SELECT coalesce(a.tier, 'none') AS tier, a.region_code, count(*)::int AS count FROM "workflow"."application" a
        WHERE ${SLA_BREACH_SQL} AND ${scope} GROUP BY 1, 2`,
      params,
    );
    const [attention]: { count: number }[] = await this.ds.query(
      `SELECT count(*)::int AS count FROM "workflow"."application" a WHERE a.status = 'needs_attention' AND ${scope}`,
      params,
    );
    const oldest: { id: string; region_code: string; attention: { reason: string; step: string; at: string } }[] = await this.ds.query(
      `SELECT a.id, a.region_code, a.attention FROM "workflow"."application" a
        WHERE a.status = 'needs_attention' AND ${scope} ORDER BY a.attention->>'at', a.id LIMIT $${n}`,
      [...params, top],
    );
    return {
      slaBreaches: summariseBreaches(breaches.map((b) => ({ tier: b.tier, regionCode: b.region_code, count: b.count })), top),
      needsAttention: {
        total: attention?.count ?? 0,
        oldest: oldest.map((a) => ({ applicationId: a.id, regionCode: a.region_code, step: a.attention?.step ?? '', reason: a.attention?.reason ?? '', since: a.attention?.at ?? '' })),
      },
    };
  }
}

/** Breach counts per (tier, region) as totals by tier and the top regions, most first. */
export function summariseBreaches(rows: { tier: ReviewTier | 'none'; regionCode: string; count: number }[], top: number): WorkflowOperationsOverview['slaBreaches'] {
  const byTier = new Map<ReviewTier | 'none', number>();
  const byRegion = new Map<string, number>();
  for (const r of rows) {
    byTier.set(r.tier, (byTier.get(r.tier) ?? 0) + r.count);
    byRegion.set(r.regionCode, (byRegion.get(r.regionCode) ?? 0) + r.count);
  }
  return {
    total: rows.reduce((s, r) => s + r.count, 0),
    byTier: [...byTier].map(([tier, count]) => ({ tier, count })).sort((a, b) => b.count - a.count || a.tier.localeCompare(b.tier)),
    byRegion: [...byRegion]
      .map(([regionCode, count]) => ({ regionCode, count }))
      .sort((a, b) => b.count - a.count || a.regionCode.localeCompare(b.regionCode))
      .slice(0, top),
  };
}
