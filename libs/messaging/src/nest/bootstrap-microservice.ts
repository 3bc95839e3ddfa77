import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import type { Logger } from 'pino';
import type { BusPrincipal } from '@ecert/contracts';
import { BusIdentity } from '../identity/bus-identity';
import { ContextVerifyingDeserializer } from '../rpc/context-verifying.deserializer';
import { natsCredentials, natsServers } from '../nats/nats-connection';
import { DEV_DEFAULTS_WARNED_ENV, developmentDefaultsWarning, NestPinoLogger, type EcertConfig } from '@ecert/common';

export interface MicroserviceBootstrap {
  service: BusPrincipal;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any;
  config: EcertConfig;
  logger: Logger;
}

/**
 * Starts a service as a NATS request/reply listener in a queue group named after the service,
 * so more instances of it share the load instead of each answering. Every request passes the
 * context verifier before a handler sees it.
 */
export async function bootstrapMicroservice(b: MicroserviceBootstrap): Promise<INestMicroservice> {
  const warning = developmentDefaultsWarning(b.config, b.service);
  if (warning && !process.env[DEV_DEFAULTS_WARNED_ENV]) b.logger.warn(warning);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(b.module, {
    transport: Transport.NATS,
    options: {
      servers: natsServers(b.config.NATS_URL),
      queue: b.service,
      name: b.service,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...natsCredentials(b.config, b.service),
      deserializer: new ContextVerifyingDeserializer(BusIdentity.fromConfig(b.config, b.service)),
    },
    logger: new NestPinoLogger(b.logger),
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  await app.listen();
  b.logger.info({ service: b.service }, 'service listening on NATS');
  return app;
}
