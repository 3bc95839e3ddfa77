import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { ServiceInfraModule, serviceHealthController, serviceMetricsResponder } from '@ecert/messaging';
import { Subjects } from '@ecert/contracts';
import { CertificateEventsListener } from './certificate-events/certificate-events.listener';
import { SealLifecycle } from './certificate-events/seal-lifecycle.service';
import { CertServiceClient } from './cert-client/cert-service.client';
import { SEAL_ENTITIES } from './seals/seal.entities';
import { SealFactory } from './seals/seal-factory.service';
import { SealMakerTrust } from './seals/seal-maker-trust';
import { WorkflowServiceClient } from './workflow-client/workflow-service.client';
import { MATERIAL_REFERENCES } from './workflow-client/material-references.token';
import { PurgeExpiredDocumentsUseCase } from './documents/purge-expired-documents.use-case';
import { DocumentRetentionScheduler } from './documents/document-retention.scheduler';
import { TimestampTrust } from './documents/timestamp-trust';
import { CreateSealUseCase } from './seals/create-seal.use-case';
import { VerifySealUseCase } from './seals/verify-seal.use-case';
import { SealQueries } from './seals/seal-queries.service';
import { SealsHandler } from './seals/seals.handler';
import { InitSealSchema1763900000001 } from './migrations/1763900000001-init-seal-schema';
import { CreateSealTables1764000000001 } from './migrations/1764000000001-create-seal-tables';
import { CertificateEventOrder1764600000002 } from './migrations/1764600000002-certificate-event-order';
import { CommandReceipts1764800000002 } from './migrations/1764800000002-command-receipts';
import { DocumentTables1765200000001 } from './migrations/1765200000001-document-tables';
import { SesSignature1766000000001 } from './migrations/1766000000001-ses-signature';
import { DocumentRetention1766000000003 } from './migrations/1766000000003-document-retention';
import { SignatureValueHash1766000000101 } from './migrations/1766000000101-signature-value-hash';
import { ContentRemoval1766000000102 } from './migrations/1766000000102-content-removal';
import { DOCUMENT_ENTITIES } from './documents/document.entities';
import { sealDocumentStoreProvider } from './documents/document-store.provider';
import { DocumentAccess } from './documents/document-access.service';
import { RegisterDocumentUseCase } from './documents/register-document.use-case';
import { DocumentQueries } from './documents/document-queries.service';
import { PutSealUseRuleUseCase } from './documents/put-seal-use-rule.use-case';
import { SealUseQueries } from './documents/seal-use-queries.service';
import { CreateSealUseRequestUseCase } from './documents/create-seal-use-request.use-case';
import { DecideSealUseRequestUseCase } from './documents/decide-seal-use-request.use-case';
import { SealingChecks } from './documents/sealing-checks.service';
import { SealedDocumentWriter } from './documents/sealed-document-writer.service';
import { TimestampAuthorityClient } from './documents/timestamp-authority.client';
import { SealDocumentUseCase } from './documents/seal-document.use-case';
import { EmbedSignatureUseCase } from './documents/embed-signature.use-case';
import { VerifyDocumentUseCase } from './documents/verify-document.use-case';
import { VerificationReportQueries } from './documents/verification-report-queries.service';
import { DocumentsHandler } from './documents/documents.handler';

export const SEAL_MIGRATIONS = [InitSealSchema1763900000001, CreateSealTables1764000000001, CertificateEventOrder1764600000002, CommandReceipts1764800000002, DocumentTables1765200000001, SesSignature1766000000001, DocumentRetention1766000000003, SignatureValueHash1766000000101, ContentRemoval1766000000102];

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
          entities: [...SEAL_ENTITIES, ...DOCUMENT_ENTITIES],
          migrations: SEAL_MIGRATIONS,
        }),
      ],
      controllers: [serviceHealthController('seal-service', Subjects.seal.health), SealsHandler, DocumentsHandler],
      providers: [
        // Not a request/reply controller: every instance answers the metrics request (scatter-gather).
        serviceMetricsResponder('seal-service', Subjects.seal.operationsMetrics),
        CertServiceClient,
        SealFactory,
        SealMakerTrust,
        CreateSealUseCase,
        VerifySealUseCase,
        SealQueries,
        SealLifecycle,
        CertificateEventsListener,
        sealDocumentStoreProvider,
        DocumentAccess,
        RegisterDocumentUseCase,
        DocumentQueries,
        PutSealUseRuleUseCase,
        SealUseQueries,
        CreateSealUseRequestUseCase,
        DecideSealUseRequestUseCase,
        SealingChecks,
        SealedDocumentWriter,
        SealDocumentUseCase,
        TimestampAuthorityClient,
        EmbedSignatureUseCase,
        VerifyDocumentUseCase,
        WorkflowServiceClient,
        { provide: MATERIAL_REFERENCES, useExisting: WorkflowServiceClient },
        PurgeExpiredDocumentsUseCase,
        DocumentRetentionScheduler,
        TimestampTrust,
        VerificationReportQueries,
      ],
    };
  }
}
