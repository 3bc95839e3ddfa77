import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Subjects, type RpcEnvelope } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER, NATS_CONNECTION, probeServiceHealth, runRpc } from '@ecert/messaging';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(Subjects.seal.health)
  health(@Payload() env: RpcEnvelope<unknown>) {
    return runRpc(this.logger, env, () => probeServiceHealth('seal-service', this.ds, this.nc));
  }
}
