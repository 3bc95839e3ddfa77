import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadConfig, type EcertConfig } from '@ecert/common';
import { Subjects } from '@ecert/contracts';
import { BusIdentity, connectNats, MetricsResponder, ServiceMetrics } from '@ecert/messaging';
import { RpcClient } from '../rpc/rpc-client.service';
import { MetricsScrape } from './metrics-scrape.service';

/**
 * Against the real NATS (this file's subject prefix): with more than one instance of a service,
 * the scrape hears every one of them, not the one a queue group would pick, and tells their series
 * apart by `instance`. A process that is not the subject's service is not believed.
 */
const logger = pino({ level: 'silent' });
let config: EcertConfig;
let nc: NatsConnection;
let rpc: RpcClient;
const responders: MetricsResponder[] = [];

beforeAll(async () => {
  config = loadConfig({ ...process.env, METRICS_GATHER_MS: '500', METRICS_CACHE_MS: '0' }, 'gateway');
  nc = await connectNats(config.NATS_URL, 'metrics-scrape-spec');
  const cert = BusIdentity.fromConfig(config, 'cert-service');
  // Two replicas of the cert-service, and a seal-service process answering on the cert-service's subject.
  responders.push(new MetricsResponder(nc, cert, logger, 'cert-service', Subjects.cert.operationsMetrics, 'cert-a'));
  responders.push(new MetricsResponder(nc, cert, logger, 'cert-service', Subjects.cert.operationsMetrics, 'cert-b'));
  responders.push(new MetricsResponder(nc, BusIdentity.fromConfig(config, 'seal-service'), logger, 'seal-service', Subjects.cert.operationsMetrics, 'impostor'));
  for (const r of responders) r.start();
  await nc.flush();
  ServiceMetrics.of('cert-service').rpcRequests.inc({ subject: 'cert.certificates.issue', outcome: 'ok' });
  rpc = new RpcClient(config);
});

afterAll(async () => {
  for (const r of responders) await r.stop();
  await rpc?.close();
  await nc?.close();
});

describe('MetricsScrape', () => {
  it('gathers every instance of a service and labels each one\'s series with it', async () => {
    const { text } = await new MetricsScrape(rpc, config, logger).exposition();
    for (const instance of ['cert-a', 'cert-b']) {
      expect(text).toContain(`ecert_rpc_requests_total{subject="cert.certificates.issue",outcome="ok",service="cert-service",instance="${instance}"} 1`);
    }
    expect(text).not.toContain('impostor');
    expect(text).toMatch(/^ecert_scrape_instances\{target="cert-service",service="gateway",instance="[^"]+"\} 2$/m);
    expect(text).toMatch(/^ecert_scrape_service_up\{target="cert-service",service="gateway",instance="[^"]+"\} 1$/m);
    // Nobody answers for the seal- and workflow-service here: reported, not fatal.
    expect(text).toMatch(/^ecert_scrape_service_up\{target="seal-service",service="gateway",instance="[^"]+"\} 0$/m);
  });

  it('shares one scrape between concurrent GETs', async () => {
    const cached = new MetricsScrape(rpc, loadConfig({ ...process.env, METRICS_GATHER_MS: '300', METRICS_CACHE_MS: '10000' }, 'gateway'), logger);
    const served = async () => (await ServiceMetrics.of('cert-service').rpcRequests.get()).values.find((v) => v.labels.subject === 'cert.operations.metrics' && v.labels.outcome === 'ok')?.value ?? 0;
    const before = await served();
    const texts = await Promise.all([cached.exposition(), cached.exposition(), cached.exposition()]);
    expect(new Set(texts.map((t) => t.text)).size).toBe(1);
    await cached.exposition();
    // Two replicas answered one request: two answers, not eight.
    expect((await served()) - before).toBe(2);
  });
});
