import { createServer, type Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import { MetricsScrape } from './metrics-scrape.service';

/**
 * Prometheus's scrape target: GET /metrics on METRICS_HOST:METRICS_PORT (127.0.0.1:9464 by
 * default), a port of its own that is never the API's. Protected by where it listens, not by a
 * credential: bind it to a private interface the Prometheus server reaches, never a public one.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly scrape: MetricsScrape,
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.METRICS_PORT) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/metrics') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      this.scrape
        .exposition()
        .then(({ contentType, text }) => res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text))
        .catch((e) => {
          this.logger.error({ err: (e as Error).message }, 'metrics scrape failed');
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end('scrape failed\n');
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.METRICS_PORT, this.config.METRICS_HOST, () => resolve());
    });
    this.server = server;
    this.logger.info({ url: `http://${this.config.METRICS_HOST}:${this.config.METRICS_PORT}/metrics` }, 'metrics listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
