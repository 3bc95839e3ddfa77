import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { SingleFlightCache, type EcertConfig } from '@ecert/common';
import { Subjects, type InstanceMetrics } from '@ecert/contracts';
import { instanceId, isMetricsSnapshot, mergeMetricsSnapshots, ServiceMetrics, withInstanceLabel, type MetricsSnapshot } from '@ecert/messaging';
import { RpcClient } from '../rpc/rpc-client.service';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import { gatewayPoolInstance, GatewayWorkerPeers } from '../cluster/gateway-worker-peers';

const SERVICES = [
  { service: 'cert-service', subject: Subjects.cert.operationsMetrics },
  { service: 'seal-service', subject: Subjects.seal.operationsMetrics },
  { service: 'workflow-service', subject: Subjects.workflow.operationsMetrics },
] as const;

type Gathered = { service: string; instances: { instance: string; snapshot: MetricsSnapshot }[] };

/**
 * One scrape of the whole platform: the gateway's own registry and every instance of every
 * service, asked over NATS at once (scatter-gather: each instance answers, the replies of a short
 * window METRICS_GATHER_MS are kept), each instance's series labelled `instance`. A service none
 * of whose instances answered is reported by `ecert_scrape_service_up{target} 0` instead of
 * failing the scrape: its absence is itself news.
 *
 * A gateway of several HTTP workers (GATEWAY_WORKERS) shares its metrics port among them: the
 * worker that serves a scrape adds the others' own registries, relayed by the primary, each with
 * its own `instance`, so every scrape shows every worker whichever one answers it. What is read
 * for the scrape itself — the scraped gauges (totals of the shared database and Redis) and the
 * scrape's own gauges — is reported once, under the pool's `instance`, whichever worker serves it.
 *
 * A scrape costs every service about ten SQL queries: concurrent GETs share one scrape, and its
 * text is served for METRICS_CACHE_MS after (Prometheus scrapes every 15 s or so anyway).
 */
@Injectable()
export class MetricsScrape {
  private readonly windowMs: number;
  private readonly instance: string;
  /** The `instance` of what is reported once per gateway: the pool's, or this process's own. */
  private readonly poolInstance: string;
  private readonly cache: SingleFlightCache<{ contentType: string; text: string }>;
  private readonly workers: GatewayWorkerPeers;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.windowMs = config.METRICS_GATHER_MS;
    this.instance = instanceId(config);
    this.poolInstance = gatewayPoolInstance(this.instance);
    this.cache = new SingleFlightCache(config.METRICS_CACHE_MS, 1);
    // The others' scraped gauges would count the same shared totals once per worker.
    this.workers = new GatewayWorkerPeers(this.instance, () => ServiceMetrics.of('gateway').ownSnapshot(), this.windowMs);
  }

  exposition(): Promise<{ contentType: string; text: string }> {
    return this.cache.get('scrape', () => this.scrape());
  }

  private async scrape(): Promise<{ contentType: string; text: string }> {
    const own = ServiceMetrics.of('gateway').snapshot();
    const peers = this.workers.peers();
    const gathered: Gathered[] = await Promise.all(
      SERVICES.map(async ({ service, subject }) => {
        try {
          const replies = await this.rpc.gather<InstanceMetrics>(subject, {}, { windowMs: this.windowMs });
          const instances = replies.flatMap((r) => (typeof r?.instance === 'string' && isMetricsSnapshot(r.snapshot) ? [{ instance: r.instance, snapshot: r.snapshot }] : []));
          if (instances.length === 0) this.logger.warn({ service }, 'no instance of the service answered the metrics request');
          return { service, instances };
        } catch (e) {
          this.logger.warn({ service, err: (e as Error).message }, 'metrics of a service unavailable');
          return { service, instances: [] };
        }
      }),
    );
    const services = gathered.flatMap((g) => g.instances.map((i) => withInstanceLabel(i.snapshot, i.instance)));
    const workers = await peers;
    const scraped = ServiceMetrics.of('gateway').scrapedGaugeNames();
    const mine = await own;
    const gateways = [{ instance: this.instance, snapshot: mine.filter((m) => !scraped.has(m.name)) }, ...workers];
    const ours = [
      ...gateways.map((g) => withInstanceLabel(g.snapshot, g.instance)),
      withInstanceLabel([...mine.filter((m) => scraped.has(m.name)), ...(await upSnapshot(gathered, gateways.length))], this.poolInstance),
    ];
    return mergeMetricsSnapshots([...ours, ...services]);
  }
}

async function upSnapshot(gathered: Gathered[], gatewayInstances: number): Promise<MetricsSnapshot> {
  const r = new Registry();
  r.setDefaultLabels({ service: 'gateway' });
  const up = new Gauge({ name: 'ecert_scrape_service_up', help: 'Whether any instance of a service answered this scrape (1) or none (0)', labelNames: ['target'], registers: [r] });
  const count = new Gauge({ name: 'ecert_scrape_instances', help: 'How many instances of a service answered this scrape', labelNames: ['target'], registers: [r] });
  for (const g of gathered) {
    up.set({ target: g.service }, g.instances.length > 0 ? 1 : 0);
    count.set({ target: g.service }, new Set(g.instances.map((i) => i.instance)).size);
  }
  // This gateway's HTTP workers (1 unless GATEWAY_WORKERS is set): other gateways have their own scrape.
  count.set({ target: 'gateway' }, gatewayInstances);
  return r.getMetricsAsJSON();
}
