import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { overviewBounds, ProblemCode, ProblemError, regionLikePatterns, requestContext } from '@ecert/common';
import { INVALIDATION_REASONS, type CertificateOperationsOverview, type InvalidationReason, type OperationsOverviewQuery } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { invalidationCutoff } from '@ecert/pki';
import { dryRunSql } from '../batch/invalidation/invalidation-rules.sql';

/** The cert-service's part of the operators' overview, within the caller's region scope. */
@Injectable()
export class CertificateOverviewQuery {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: OperationsOverviewQuery | undefined): Promise<CertificateOperationsOverview> {
    const ctx = requestContext.getStore();
    // The bus admitted the gateway's request for a holder of operations:read; checked here again.
    if (!ctx?.operations?.includes('operations:read')) throw new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', "The overview needs 'operations:read'");
    const { top, renewalWindowDays } = overviewBounds(q);
    const patterns = regionLikePatterns({ regions: [...(ctx.regions ?? [])] });
    // National scope: no filter; otherwise the scope's LIKE prefixes (none = nothing).
    const scope = (alias: string, n: number) => (patterns === undefined ? 'TRUE' : `${alias}.region_code LIKE ANY($${n}::text[])`);
    const params = patterns === undefined ? [] : [patterns];
    const next = params.length + 1;

    const renewals: { region_code: string; count: number }[] = await this.ds.query(
      `SELECT c.region_code, count(*)::int AS count FROM "cert"."certificate" c
        WHERE c.status = 'active' AND c.replaced_by IS NULL AND c.not_after > now() AND c.not_after <= now() + ($${next} || ' days')::interval AND ${scope('c', 1)}
        GROUP BY c.region_code ORDER BY count DESC, c.region_code`,
      [...params, String(renewalWindowDays)],
    );
    // The batch run's own rule (with its precedence): 'invalidations due' is what a dry run now would count.
    const now = new Date();
    const dueRows: { reason: InvalidationReason; count: number }[] = await this.ds.query(dryRunSql(patterns === undefined ? 'TRUE' : 'c.region_code LIKE ANY($3::text[])'), [
      invalidationCutoff(now),
      now,
      ...params,
    ]);
    const due = [...dueRows.reduce((m, r) => m.set(r.reason, (m.get(r.reason) ?? 0) + r.count), new Map<InvalidationReason, number>())].map(([reason, count]) => ({ reason, count }));
    const [invalid]: { count: number }[] = await this.ds.query(
      `SELECT count(*)::int AS count FROM "cert"."certificate" c WHERE c.status = 'invalid' AND ${scope('c', 1)}`,
      params,
    );
    const byReason = new Map(due.map((d) => [d.reason, d.count]));
    return {
      renewalsDue: {
        windowDays: renewalWindowDays,
        total: renewals.reduce((s, r) => s + r.count, 0),
        byRegion: renewals.slice(0, top).map((r) => ({ regionCode: r.region_code, count: r.count })),
      },
      invalidationsDue: {
        total: due.reduce((s, d) => s + d.count, 0),
        byReason: INVALIDATION_REASONS.map((reason) => ({ reason, count: byReason.get(reason) ?? 0 })),
      },
      invalidListSize: invalid?.count ?? 0,
    };
  }
}
