import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Seconds; from a fast cache hit to a slow issuance on a hardware key. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Collect = (gauge: Gauge<string>) => Promise<void> | void;

/**
 * One prom-client Registry per service process, every series labelled `service`. Kept per service
 * name, not as a global default registry: tests (and `npm start` on a laptop) run several services
 * in one process, and each must still answer only for itself. Metrics are got-or-created by name,
 * so a service restarted in the same process keeps counting in the same series.
 */
export class ServiceMetrics {
  private static readonly byService = new Map<string, ServiceMetrics>();

  static of(service: string): ServiceMetrics {
    let m = ServiceMetrics.byService.get(service);
    if (!m) ServiceMetrics.byService.set(service, (m = new ServiceMetrics(service)));
    return m;
  }

  readonly registry = new Registry();
  /** Request/reply commands answered, by subject (prefix stripped) and outcome: issuance and every lifecycle command. */
  readonly rpcRequests: Counter<'subject' | 'outcome'>;
  readonly rpcDuration: Histogram<'subject' | 'outcome'>;
  private readonly collectors = new Map<string, Collect>();

  private constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.rpcRequests = this.counter('ecert_rpc_requests_total', 'Bus requests answered, by subject and outcome (ok, client_error, server_error, refused)', ['subject', 'outcome']);
    this.rpcDuration = this.histogram('ecert_rpc_duration_seconds', 'Time to answer a bus request, by subject and outcome', ['subject', 'outcome']);
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (this.registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
    return (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /**
   * A gauge computed when scraped. Registering the same name again replaces the computation (a
   * restarted service's new database connection), so a scrape never reads through a closed one.
   */
  scrapedGauge(name: string, help: string, labelNames: readonly string[], collect: Collect): void {
    this.collectors.set(name, collect);
    if (this.registry.getSingleMetric(name)) return;
    const collectors = this.collectors;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        // Series of labels that disappeared (a region with no breach any more) must not linger.
        this.reset();
        await collectors.get(name)?.(this);
      },
    });
  }

  /** What the gateway merges into its /metrics: prom-client's JSON form, default labels applied. */
  snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return this.registry.getMetricsAsJSON();
  }

  /**
   * The same without the scraped gauges: only what this process counted itself. For a second
   * process of one instance (a gateway worker), whose scraped gauges — totals read from the shared
   * database or Redis — the process serving the scrape reports once.
   */
  async ownSnapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    type Readable = { name: string; get(): Promise<MetricObjectWithValues<MetricValue<string>>> };
    const own = (this.registry.getMetricsAsArray() as unknown as Readable[]).filter((m) => !this.collectors.has(m.name));
    const items = await Promise.all(own.map((m) => m.get()));
    return items.map((item) => ({ ...item, values: item.values.map((v) => ({ ...v, labels: { ...v.labels, service: v.labels.service ?? this.service } })) }));
  }

  /** Names of the gauges computed when scraped (`scrapedGauge`). */
  scrapedGaugeNames(): ReadonlySet<string> {
    return new Set(this.collectors.keys());
  }
}

/** The subject as a metric label: without the deployment's prefix and version (`cert.certificates.issue`). */
export function subjectLabel(subject: string): string {
  const parts = subject.split('.');
  return parts.length > 2 && parts[1] === 'v1' ? parts.slice(2).join('.') : subject;
}
