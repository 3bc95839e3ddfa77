import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { overviewBounds, ProblemCode, ProblemError, regionLikePatterns, requestContext } from '@ecert/common';
import { INVALIDATION_REASONS, type CertificateOperationsOverview, type InvalidationReason, type OperationsOverviewQuery } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';

/**
 * The 第二十条 rule as a query, per certificate not yet invalid: a UKey reported lost (frozen) or
 * damaged, or a certificate expired without renewal, left unresolved for two years; or a normal
 * certificate with no activity (login, signing, issuance) for two years. Which one applies first
 * matters only for the count by reason.
 */
export const INVALIDATION_REASON_SQL = `CASE
  WHEN c.status = 'frozen' AND c.frozen_at < now() - interval '2 years' THEN CASE WHEN u.state = 'damaged' THEN 'damaged_unresolved' ELSE 'lost_unresolved' END
  WHEN c.status = 'active' AND c.not_after < now() - interval '2 years' AND c.replaced_by IS NULL THEN 'expired_unresolved'
  WHEN c.status = 'active' AND c.not_after >= now() AND coalesce(c.last_activity_at, c.not_before) < now() - interval '2 years' THEN 'idle'
END`;

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
    const due: { reason: InvalidationReason; count: number }[] = await this.ds.query(
      `SELECT reason, count(*)::int AS count FROM (
         SELECT ${INVALIDATION_REASON_SQL} AS reason FROM "cert"."certificate" c LEFT JOIN "cert"."ukey" u ON u.serial = c.ukey_serial
          WHERE c.status IN ('active', 'frozen') AND ${scope('c', 1)}) t
        WHERE reason IS NOT NULL GROUP BY reason`,
      params,
    );
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
