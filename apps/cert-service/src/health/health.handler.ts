import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Subjects, type RpcEnvelope } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER, NATS_CONNECTION, probeServiceHealth, runRpc } from '@ecert/messaging';
import { CrlPublisher } from '../revocation/crl-publisher.service';
import { CaRegistry } from '../ca/ca-registry.service';

@Controller()
export class HealthHandler {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly publisher: CrlPublisher,
    private readonly registry: CaRegistry,
  ) {}

  @MessagePattern(Subjects.cert.health)
  health(@Payload() env: RpcEnvelope<unknown>) {
    return runRpc(this.logger, env, () =>
      probeServiceHealth('cert-service', this.ds, this.nc, {
        redis: () => this.publisher.ping(),
        ca: async () => !this.registry.isEmpty(),
      }),
    );
  }
}
