import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, ServiceMetrics } from '@ecert/messaging';

/**
 * The cert-service's gauges, computed when scraped: how old each CA's newest CRL (and delta) is,
 * and how many certificates are on the invalid list (status `invalid`; 0 until the first run).
 */
@Injectable()
export class CertificateMetrics implements OnModuleInit {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  onModuleInit(): void {
    const metrics = ServiceMetrics.of('cert-service');
    metrics.scrapedGauge('ecert_crl_age_seconds', 'Seconds since the thisUpdate of the newest CRL of a CA (kind full or delta)', ['ca', 'kind'], async (g) => {
      const rows: { ca_id: string; kind: string; age: number }[] = await this.ds.query(
        `SELECT ca_id, CASE WHEN delta_base IS NULL THEN 'full' ELSE 'delta' END AS kind, extract(epoch FROM now() - max(this_update))::float8 AS age
           FROM "cert"."crl" GROUP BY ca_id, kind`,
      );
      for (const r of rows) g.set({ ca: r.ca_id, kind: r.kind }, Math.max(0, r.age));
    });
    metrics.scrapedGauge('ecert_invalid_list_size', 'Certificates on the invalid list (失效名单, status invalid)', [], async (g) => {
      const [row]: { count: number }[] = await this.ds.query(`SELECT count(*)::int AS count FROM "cert"."certificate" WHERE status = 'invalid'`);
      g.set(row?.count ?? 0);
    });
  }
}
