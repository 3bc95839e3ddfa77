import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DatabaseHealthProbe } from '@ecert/database';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Subjects, type RpcEnvelope } from '@ecert/contracts';
import { DATABASE_HEALTH, LOGGER, NATS_CONNECTION, probeServiceHealth, runRpc } from '@ecert/messaging';
import { CrlPublisher } from '../revocation/crl-publisher.service';
import { CaRegistry } from '../ca/ca-registry.service';

@Controller()
export class HealthHandler {
  constructor(
    @Inject(DATABASE_HEALTH) private readonly database: DatabaseHealthProbe,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly publisher: CrlPublisher,
    private readonly registry: CaRegistry,
  ) {}

  @MessagePattern(Subjects.cert.health)
  health(@Payload() env: RpcEnvelope<unknown>) {
    return runRpc(this.logger, env, () =>
      probeServiceHealth('cert-service', this.database, this.nc, {
        redis: () => this.publisher.ping(),
        ca: async () => !this.registry.isEmpty(),
      }),
    );
  }
}
