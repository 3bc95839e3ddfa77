import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, ServiceMetrics } from '@ecert/messaging';
import { SLA_BREACH_SQL } from './sla-breach.sql';

/** How long one reading of the SLA breaches serves scrapes: a scrape every few seconds must not scan the applications each time. */
export const SLA_METRICS_CACHE_MS = 15_000;

/**
 * The workflow-service's gauges, computed when scraped: SLA breaches by city (the region label is
 * the 地市 code, so the series stay few) and tier, and applications whose fulfilment needs attention.
 */
@Injectable()
export class WorkflowMetrics implements OnModuleInit {
  private cached?: { at: number; rows: Promise<{ region: string; tier: string; count: number }[]> };

  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  onModuleInit(): void {
    const metrics = ServiceMetrics.of('workflow-service');
    metrics.scrapedGauge('ecert_sla_breaches', 'Open applications past their due date or their tier\'s, by city (region) and current tier', ['region', 'tier'], async (g) => {
      for (const r of await this.breaches()) g.set({ region: r.region, tier: r.tier }, r.count);
    });
    metrics.scrapedGauge('ecert_applications_needing_attention', 'Applications whose fulfilment (saga) stopped on a step that cannot succeed', [], async (g) => {
      const [row]: { count: number }[] = await this.ds.query(`SELECT count(*)::int AS count FROM "workflow"."application" WHERE status = 'needs_attention'`);
      g.set(row?.count ?? 0);
    });
  }

  private breaches(): Promise<{ region: string; tier: string; count: number }[]> {
    if (!this.cached || Date.now() - this.cached.at > SLA_METRICS_CACHE_MS) {
      const rows = this.ds.query(
        `SELECT left(a.region_code, 4) || '00' AS region, coalesce(a.tier, 'none') AS tier, count(*)::int AS count FROM "workflow"."application" a
          WHERE ${SLA_BREACH_SQL} GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 500`,
      ) as Promise<{ region: string; tier: string; count: number }[]>;
      this.cached = { at: Date.now(), rows };
      // A failed reading is not kept: the next scrape tries again.
      rows.catch(() => (this.cached = undefined));
    }
    return this.cached.rows;
  }
}
