import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { ServiceInfraModule, serviceHealthController, serviceMetricsResponder } from '@ecert/messaging';
import { Subjects } from '@ecert/contracts';
import { FileDocumentStore } from '@ecert/documents';
import { UkeyEventsListener } from './ukey-events/ukey-events.listener';
import { InitWorkflowSchema1763900000002 } from './migrations/1763900000002-init-workflow-schema';
import { CreateApplicationTables1764800000001 } from './migrations/1764800000001-create-application-tables';
import { OpenApplicationUniqueness1764800000002 } from './migrations/1764800000002-open-application-uniqueness';
import { HandlerContactLookup1766200000101 } from './migrations/1766200000101-handler-contact-lookup';
import { ApplicationListIndex1766300000002 } from './migrations/1766300000002-application-list-index';
import { WORKFLOW_ENTITIES } from './applications/entities';
import { ApplicationsHandler } from './applications/applications.handler';
import { ApplicationViewMapper } from './applications/application-view.mapper';
import { ApplicationQueries } from './applications/application-queries.service';
import { FindHandlerContactUseCase } from './applications/usecases/find-handler-contact.use-case';
import { MaterialReferencesQuery } from './applications/material-references.query';
import { WorkflowBusClient } from './applications/workflow-bus.client';
import { CreateApplicationUseCase } from './applications/usecases/create-application.use-case';
import { AttachMaterialUseCase } from './applications/usecases/attach-material.use-case';
import { SubmitApplicationUseCase } from './applications/usecases/submit-application.use-case';
import { DecideApplicationUseCase } from './applications/usecases/decide-application.use-case';
import { RecordProductionUseCase } from './applications/usecases/record-production.use-case';
import { RecordCollectionUseCase } from './applications/usecases/record-collection.use-case';
import { RetryApplicationUseCase } from './applications/usecases/retry-application.use-case';
import { ReleaseUkeySoPinUseCase } from './applications/usecases/release-ukey-so-pin.use-case';
import { WithdrawApplicationUseCase } from './applications/usecases/withdraw-application.use-case';
import { AbortApplicationUseCase } from './applications/usecases/abort-application.use-case';
import { CompleteUnlockUseCase } from './applications/usecases/complete-unlock.use-case';
import { WorkingCalendarProvider } from './sla/working-calendar.provider';
import { PutCalendarYearUseCase } from './sla/put-calendar-year.use-case';
import { FulfilmentRunner } from './fulfilment/fulfilment-runner.service';
import { FulfilmentStepExecutor } from './fulfilment/fulfilment-step.executor';
import { DOCUMENT_STORE } from './workflow-service.tokens';
import { OperationsHandler } from './operations/operations.handler';
import { WorkflowOverviewQuery } from './operations/workflow-overview.query';
import { WorkflowMetrics } from './operations/workflow-metrics';

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
          entities: WORKFLOW_ENTITIES,
          migrations: [InitWorkflowSchema1763900000002, CreateApplicationTables1764800000001, OpenApplicationUniqueness1764800000002, HandlerContactLookup1766200000101, ApplicationListIndex1766300000002],
        }),
      ],
      controllers: [serviceHealthController('workflow-service', Subjects.workflow.health), ApplicationsHandler, OperationsHandler],
      providers: [
        // Not a request/reply controller: every instance answers the metrics request (scatter-gather).
        serviceMetricsResponder('workflow-service', Subjects.workflow.operationsMetrics),
        UkeyEventsListener,
        { provide: DOCUMENT_STORE, useFactory: () => FileDocumentStore.fromConfig(config) },
        WorkflowBusClient,
        WorkingCalendarProvider,
        ApplicationViewMapper,
        ApplicationQueries,
        FindHandlerContactUseCase,
        MaterialReferencesQuery,
        CreateApplicationUseCase,
        AttachMaterialUseCase,
        SubmitApplicationUseCase,
        DecideApplicationUseCase,
        RecordProductionUseCase,
        RecordCollectionUseCase,
        RetryApplicationUseCase,
        ReleaseUkeySoPinUseCase,
        WithdrawApplicationUseCase,
        AbortApplicationUseCase,
        CompleteUnlockUseCase,
        PutCalendarYearUseCase,
        FulfilmentStepExecutor,
        FulfilmentRunner,
        WorkflowOverviewQuery,
        WorkflowMetrics,
      ],
    };
  }
}
