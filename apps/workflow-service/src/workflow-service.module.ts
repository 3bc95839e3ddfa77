import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { ServiceInfraModule, serviceHealthController } from '@ecert/messaging';
import { Subjects } from '@ecert/contracts';
import { CertificateEventsListener } from './certificate-events/certificate-events.listener';
import { InitWorkflowSchema1763900000002 } from './migrations/1763900000002-init-workflow-schema';

@Module({})
export class WorkflowServiceModule {
  static forRoot(config: EcertConfig, logger: Logger): DynamicModule {
    return {
      module: WorkflowServiceModule,
      imports: [
        ServiceInfraModule.forService({
          service: 'workflow-service',
          schema: 'workflow',
          config,
          logger,
          entities: [],
          migrations: [InitWorkflowSchema1763900000002],
        }),
      ],
      controllers: [serviceHealthController('workflow-service', Subjects.workflow.health)],
      providers: [CertificateEventsListener],
    };
  }
}
