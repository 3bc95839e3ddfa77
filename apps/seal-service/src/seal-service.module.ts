import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { ServiceInfraModule } from '@ecert/messaging';
import { HealthController } from './health/health.controller';
import { CertificateEventsListener } from './certificate-events/certificate-events.listener';
import { InitSealSchema1763900000001 } from './migrations/1763900000001-init-seal-schema';

@Module({})
export class SealServiceModule {
  static forRoot(config: EcertConfig, logger: Logger): DynamicModule {
    return {
      module: SealServiceModule,
      imports: [
        ServiceInfraModule.forService({
          service: 'seal-service',
          schema: 'seal',
          config,
          logger,
          entities: [],
          migrations: [InitSealSchema1763900000001],
        }),
      ],
      controllers: [HealthController],
      providers: [CertificateEventsListener],
    };
  }
}
