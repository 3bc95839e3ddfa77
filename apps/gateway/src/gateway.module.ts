import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from './gateway.tokens';
import { RpcClient } from './rpc/rpc-client.service';
import { ProblemFilter } from './problem/problem.filter';
import { HealthController } from './health/health.controller';
import { BackingStoresProbe } from './health/backing-stores.probe';
import { CertificatesController } from './certificates/certificates.controller';
import { PkiController } from './pki/pki.controller';
import { OcspCache } from './pki/ocsp-cache.service';

@Module({})
export class GatewayModule {
  static forRoot(config: EcertConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController, CertificatesController, PkiController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ProblemFilter },
        RpcClient,
        BackingStoresProbe,
        OcspCache,
      ],
    };
  }
}
