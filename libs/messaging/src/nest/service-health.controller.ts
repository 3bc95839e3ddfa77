import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DatabaseHealthProbe } from '@ecert/database';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { RpcEnvelope } from '@ecert/contracts';
import { runRpc } from '../rpc/run-rpc';
import { probeServiceHealth } from './health-probe';
import { DATABASE_HEALTH, LOGGER, NATS_CONNECTION } from './service-tokens';

/** The health ping a service answers over NATS: its database and bus connection, up or down. */
export function serviceHealthController(service: string, subject: string): Type<unknown> {
  @Controller()
  class ServiceHealthController {
    constructor(
      @Inject(DATABASE_HEALTH) private readonly database: DatabaseHealthProbe,
      @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
      @Inject(LOGGER) private readonly logger: Logger,
    ) {}

    @MessagePattern(subject)
    health(@Payload() env: RpcEnvelope<unknown>) {
      return runRpc(this.logger, env, () => probeServiceHealth(service, this.database, this.nc));
    }
  }
  return ServiceHealthController;
}
