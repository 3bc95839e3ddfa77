import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import type { RpcEnvelope } from '@ecert/contracts';
import { runRpc } from '../rpc/run-rpc';
import { LOGGER } from '../nest/service-tokens';
import { ServiceMetrics } from './service-metrics';

/**
 * A service's metrics, asked by the gateway for its /metrics (the services have no HTTP server
 * of their own; one scrape target, every series labelled `service`).
 */
export function serviceMetricsController(service: string, subject: string): Type<unknown> {
  @Controller()
  class ServiceMetricsController {
    constructor(@Inject(LOGGER) private readonly logger: Logger) {}

    @MessagePattern(subject)
    metrics(@Payload() env: RpcEnvelope<unknown>) {
      return runRpc(this.logger, env, () => ServiceMetrics.of(service).snapshot());
    }
  }
  return ServiceMetricsController;
}
