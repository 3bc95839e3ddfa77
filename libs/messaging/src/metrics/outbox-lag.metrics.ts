import type { DataSource } from 'typeorm';
import { ServiceMetrics } from './service-metrics';

/**
 * Outbox lag of a service, computed when scraped: how many events wait to be published and how
 * old the oldest is (0 when none). A lag that grows means NATS or the relay is stuck.
 */
export function registerOutboxLagMetrics(service: string, schema: string, ds: DataSource): void {
  const metrics = ServiceMetrics.of(service);
  const read = async () => {
    const [row]: { pending: number; oldest: number | null }[] = await ds.query(
      `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM "${schema}"."outbox" WHERE published_at IS NULL`,
    );
    return row ?? { pending: 0, oldest: null };
  };
  metrics.scrapedGauge('ecert_outbox_lag_seconds', 'Age of the oldest unpublished outbox event (0 = none waiting)', [], async (g) => g.set(Math.max(0, (await read()).oldest ?? 0)));
  metrics.scrapedGauge('ecert_outbox_pending', 'Outbox events not yet published', [], async (g) => g.set((await read()).pending));
}
