import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import type { EcertConfig } from '@ecert/common';
import { Subjects } from '@ecert/contracts';
import { isMetricsSnapshot, mergeMetricsSnapshots, ServiceMetrics, type MetricsSnapshot } from '@ecert/messaging';
import { RpcClient } from '../rpc/rpc-client.service';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';

const SERVICES = [
  { service: 'cert-service', subject: Subjects.cert.operationsMetrics },
  { service: 'seal-service', subject: Subjects.seal.operationsMetrics },
  { service: 'workflow-service', subject: Subjects.workflow.operationsMetrics },
] as const;

/**
 * One scrape of the whole platform: the gateway's own registry and each service's, asked over
 * NATS in parallel with a short deadline. A service that does not answer is reported by
 * `ecert_scrape_service_up{service} 0` instead of failing the scrape: its absence is itself news.
 */
@Injectable()
export class MetricsScrape {
  private readonly deadlineMs: number;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.deadlineMs = Math.min(config.NATS_REQUEST_TIMEOUT_MS, 3000);
  }

  async exposition(): Promise<{ contentType: string; text: string }> {
    const own = ServiceMetrics.of('gateway').snapshot();
    const answers = await Promise.all(
      SERVICES.map(async ({ service, subject }) => {
        try {
          const snapshot = await this.rpc.call<unknown>(subject, {}, { timeoutMs: this.deadlineMs, service });
          if (!isMetricsSnapshot(snapshot)) throw new Error('the reply is not a metrics snapshot');
          return { service, snapshot };
        } catch (e) {
          this.logger.warn({ service, err: (e as Error).message }, 'metrics of a service unavailable');
          return { service, snapshot: undefined };
        }
      }),
    );
    return mergeMetricsSnapshots([await own, ...answers.flatMap((a) => (a.snapshot ? [a.snapshot] : [])), await upSnapshot(answers)]);
  }
}

async function upSnapshot(answers: { service: string; snapshot?: MetricsSnapshot }[]): Promise<MetricsSnapshot> {
  const r = new Registry();
  r.setDefaultLabels({ service: 'gateway' });
  const g = new Gauge({ name: 'ecert_scrape_service_up', help: 'Whether a service answered this scrape (1) or not (0)', labelNames: ['target'], registers: [r] });
  for (const a of answers) g.set({ target: a.service }, a.snapshot ? 1 : 0);
  return r.getMetricsAsJSON();
}
