import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { ServiceInfraModule, serviceHealthController } from '@ecert/messaging';
import { Subjects } from '@ecert/contracts';
import { CertificateEventsListener } from './certificate-events/certificate-events.listener';
import { SealLifecycle } from './certificate-events/seal-lifecycle.service';
import { CertServiceClient } from './cert-client/cert-service.client';
import { SEAL_ENTITIES } from './seals/seal.entities';
import { SealFactory } from './seals/seal-factory.service';
import { SealMakerTrust } from './seals/seal-maker-trust';
import { CreateSealUseCase } from './seals/create-seal.use-case';
import { VerifySealUseCase } from './seals/verify-seal.use-case';
import { SealQueries } from './seals/seal-queries.service';
import { SealsHandler } from './seals/seals.handler';
import { InitSealSchema1763900000001 } from './migrations/1763900000001-init-seal-schema';
import { CreateSealTables1764000000001 } from './migrations/1764000000001-create-seal-tables';
import { CertificateEventOrder1764600000002 } from './migrations/1764600000002-certificate-event-order';
import { CommandReceipts1764800000002 } from './migrations/1764800000002-command-receipts';

export const SEAL_MIGRATIONS = [InitSealSchema1763900000001, CreateSealTables1764000000001, CertificateEventOrder1764600000002, CommandReceipts1764800000002];

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
          entities: SEAL_ENTITIES,
          migrations: SEAL_MIGRATIONS,
        }),
      ],
      controllers: [serviceHealthController('seal-service', Subjects.seal.health), SealsHandler],
      providers: [CertServiceClient, SealFactory, SealMakerTrust, CreateSealUseCase, VerifySealUseCase, SealQueries, SealLifecycle, CertificateEventsListener],
    };
  }
}
