import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { DATA_SOURCE, ServiceInfraModule, serviceMetricsResponder } from '@ecert/messaging';
import { Subjects } from '@ecert/contracts';
import { KEY_STORES } from './cert-service.tokens';
import { CaKeyStores } from './keys/ca-key-stores';
import { CaKeyBlobEntity } from './keys/ca-key-blob.entity';
import { CaEntity } from './ca/ca.entity';
import { CaRegistry } from './ca/ca-registry.service';
import { InitializeCasUseCase } from './ca/initialize-cas.use-case';
import { CaBootstrap } from './ca/ca-bootstrap.service';
import { CertificateEntity } from './certificates/certificate.entity';
import { CertificateHistoryEntity } from './certificates/certificate-history.entity';
import { CertificateViewMapper } from './certificates/certificate-view.mapper';
import { EndEntityIssuer } from './certificates/end-entity-issuer.service';
import { CompromisedKeyChecker } from './certificates/compromised-key.checker';
import { CertificateTransitionRunner } from './certificates/certificate-transition.runner';
import { IssueCertificateUseCase } from './certificates/usecases/issue-certificate.use-case';
import { FreezeCertificateUseCase } from './certificates/usecases/freeze-certificate.use-case';
import { UnfreezeCertificateUseCase } from './certificates/usecases/unfreeze-certificate.use-case';
import { RevokeCertificateUseCase } from './certificates/usecases/revoke-certificate.use-case';
import { RenewCertificateUseCase } from './certificates/usecases/renew-certificate.use-case';
import { CertificateQueries } from './certificates/queries/certificate-queries.service';
import { AuthenticateCertificateUseCase } from './certificates/usecases/authenticate-certificate.use-case';
import { CertificatesHandler } from './certificates/certificates.handler';
import { CrlEntity } from './revocation/crl.entity';
import { CrlGenerator } from './revocation/crl-generator.service';
import { CrlPublisher } from './revocation/crl-publisher.service';
import { CrlScheduler } from './revocation/crl-scheduler.service';
import { RevocationChangeNotifier } from './revocation/revocation-change.notifier';
import { PkiDistributionHandler } from './revocation/pki-distribution.handler';
import { OcspResponder } from './ocsp/ocsp-responder.service';
import { GatewayOcspHandler } from './ocsp/gateway-ocsp.handler';
import { IssueGatewayOcspSignerUseCase } from './ocsp/issue-gateway-ocsp-signer.use-case';
import { AnswerOcspStatusUseCase } from './ocsp/answer-ocsp-status.use-case';
import { HealthHandler } from './health/health.handler';
import { OperationsHandler } from './operations/operations.handler';
import { CertificateOverviewQuery } from './operations/certificate-overview.query';
import { CertificateMetrics } from './operations/certificate-metrics';
import { SealMakerHandler } from './seal-maker/seal-maker.handler';
import { SealMakerSignatureEntity } from './seal-maker/seal-maker-signature.entity';
import { SignSealInfoUseCase } from './seal-maker/sign-seal-info.use-case';
import { SealMakerOneSignaturePerRequest1764700000001 } from './migrations/1764700000001-seal-maker-one-signature-per-request';
import { SealMakerSignatures1764600000001 } from './migrations/1764600000001-seal-maker-signatures';
import { InitCertSchema1763900000000 } from './migrations/1763900000000-init-cert-schema';
import { DiscardedCertificates1766500000001 } from './migrations/1766500000001-discarded-certificates';
import { DiscardedCertificateRecorder } from './certificates/discarded-certificate.recorder';
import { DiscardedCertificateQueries } from './certificates/queries/discarded-certificate.queries';
import { DiscardedCertificatesHandler } from './certificates/discarded-certificates.handler';
import { PersonalIdHash1764300000000 } from './migrations/1764300000000-personal-id-hash';
import { CertificateKeyFingerprint1764300000001 } from './migrations/1764300000001-certificate-key-fingerprint';
import { CaRevocation1764300000002 } from './migrations/1764300000002-ca-revocation';
import { CommandReceipts1764800000001 } from './migrations/1764800000001-command-receipts';
import { CaRevocationEntity } from './ca/ca-revocation.entity';
import { RevokeCaCertificateUseCase } from './ca/revoke-ca-certificate.use-case';
import { CaAdminHandler } from './ca/ca-admin.handler';
import { CaChangeListener } from './ca/ca-change.listener';
import { Ukeys1765100000001 } from './migrations/1765100000001-ukeys';
import { UkeyEntity } from './ukeys/ukey.entity';
import { UkeyHistoryEntity } from './ukeys/ukey-history.entity';
import { UkeyDispatchBatchEntity } from './ukeys/ukey-dispatch-batch.entity';
import { UkeySoPinReleaseEntity } from './ukeys/ukey-so-pin-release.entity';
import { UkeysHandler } from './ukeys/ukeys.handler';
import { UkeyQueries } from './ukeys/queries/ukey-queries.service';
import { UkeyCertificates } from './ukeys/ukey-certificates';
import { UkeyMedium } from './ukeys/ukey-medium.service';
import { UkeySoPins } from './ukeys/ukey-so-pins.service';
import { ImportUkeysUseCase } from './ukeys/usecases/import-ukeys.use-case';
import { TransitionUkeyUseCase } from './ukeys/usecases/transition-ukey.use-case';
import { CollectUkeyUseCase } from './ukeys/usecases/collect-ukey.use-case';
import { CreateDispatchBatchUseCase } from './ukeys/usecases/create-dispatch-batch.use-case';
import { ReceiveDispatchBatchUseCase } from './ukeys/usecases/receive-dispatch-batch.use-case';
import { ReleaseProductionSoPinUseCase } from './ukeys/usecases/release-production-so-pin.use-case';
import { AuthoriseUnlockUseCase } from './ukeys/usecases/authorise-unlock.use-case';
import { ConfirmUnlockUseCase } from './ukeys/usecases/confirm-unlock.use-case';
import { PlatformKeys1765200000001 } from './migrations/1765200000001-platform-keys';
import { PlatformKeySesUse1766000000002 } from './migrations/1766000000002-platform-key-ses-use';
import { InvalidList1766100000001 } from './migrations/1766100000001-invalid-list';
import { InvalidationReview1766100000100 } from './migrations/1766100000100-invalidation-review';
import { CrlSnapshots1766200000000 } from './migrations/1766200000000-crl-snapshots';
import { CrlSnapshotsIndex1766200000001 } from './migrations/1766200000001-crl-snapshots-index';
import { CertificateListIndex1766300000001 } from './migrations/1766300000001-certificate-list-index';
import { IssuanceGuard1766400000001 } from './migrations/1766400000001-issuance-guard';
import { CrlReadPath1766200000100 } from './migrations/1766200000100-crl-read-path';
import { ActivityBuffer } from './batch/activity/activity-buffer.service';
import { ActivityEventsListener } from './batch/activity/activity-events.listener';
import { ActivityHandler } from './batch/activity/activity.handler';
import { ReportActivityUseCase } from './batch/activity/report-activity.use-case';
import { InvalidationRunEntity } from './batch/invalidation/invalidation-run.entity';
import { InvalidationRunner } from './batch/invalidation/invalidation-runner.service';
import { InvalidationJobs } from './batch/invalidation/invalidation-jobs.service';
import { StartInvalidationRunUseCase } from './batch/invalidation/start-invalidation-run.use-case';
import { InvalidListQueries } from './batch/invalidation/invalid-list.queries';
import { InvalidationHandler } from './batch/invalidation/invalidation.handler';
import { ReminderRunner } from './batch/reminders/reminder-runner.service';
import { ReminderJobs } from './batch/reminders/reminder-jobs.service';
import { WorkingCalendarClient } from './batch/reminders/working-calendar.client';
import { PlatformKeyEntity } from './platform-keys/platform-key.entity';
import { PlatformKeyUseEntity } from './platform-keys/platform-key-use.entity';
import { PlatformKeySesSeal1766000000100 } from './migrations/1766000000100-platform-key-ses-seal';
import { PlatformKeysHandler } from './platform-keys/platform-keys.handler';
import { IssuePlatformHeldCertificateUseCase } from './platform-keys/issue-platform-held-certificate.use-case';
import { SignWithPlatformKeyUseCase } from './platform-keys/sign-with-platform-key.use-case';

export const CERT_ENTITIES = [CaEntity, CaRevocationEntity, CaKeyBlobEntity, CertificateEntity, CertificateHistoryEntity, CrlEntity, SealMakerSignatureEntity, UkeyEntity, UkeyHistoryEntity, UkeyDispatchBatchEntity, UkeySoPinReleaseEntity, PlatformKeyEntity, PlatformKeyUseEntity, InvalidationRunEntity];
export const CERT_MIGRATIONS = [InitCertSchema1763900000000, PersonalIdHash1764300000000, CertificateKeyFingerprint1764300000001, CaRevocation1764300000002, SealMakerSignatures1764600000001, SealMakerOneSignaturePerRequest1764700000001, CommandReceipts1764800000001, Ukeys1765100000001, PlatformKeys1765200000001, PlatformKeySesUse1766000000002, PlatformKeySesSeal1766000000100, InvalidList1766100000001, InvalidationReview1766100000100, CrlSnapshots1766200000000, CrlSnapshotsIndex1766200000001, CrlReadPath1766200000100, CertificateListIndex1766300000001, IssuanceGuard1766400000001, DiscardedCertificates1766500000001];

@Module({})
export class CertServiceModule {
  static forRoot(config: EcertConfig, logger: Logger): DynamicModule {
    return {
      module: CertServiceModule,
      imports: [
        ServiceInfraModule.forService({ service: 'cert-service', schema: 'cert', config, logger, entities: CERT_ENTITIES, migrations: CERT_MIGRATIONS, outboxLanes: { bulkMin: 20 } }),
      ],
      controllers: [HealthHandler, CertificatesHandler, DiscardedCertificatesHandler, PkiDistributionHandler, SealMakerHandler, CaAdminHandler, UkeysHandler, PlatformKeysHandler, OperationsHandler, ActivityHandler, InvalidationHandler, GatewayOcspHandler],
      providers: [
        // Not a request/reply controller: every instance answers the metrics request (scatter-gather).
        serviceMetricsResponder('cert-service', Subjects.cert.operationsMetrics),
        { provide: KEY_STORES, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => CaKeyStores.open(config, ds) },
        CaRegistry,
        InitializeCasUseCase,
        RevokeCaCertificateUseCase,
        CaChangeListener,
        CaBootstrap,
        CertificateViewMapper,
        EndEntityIssuer,
        DiscardedCertificateRecorder,
        DiscardedCertificateQueries,
        CompromisedKeyChecker,
        CertificateTransitionRunner,
        IssueCertificateUseCase,
        FreezeCertificateUseCase,
        UnfreezeCertificateUseCase,
        RevokeCertificateUseCase,
        RenewCertificateUseCase,
        CertificateQueries,
        AuthenticateCertificateUseCase,
        CrlGenerator,
        CrlPublisher,
        CrlScheduler,
        RevocationChangeNotifier,
        OcspResponder,
        IssueGatewayOcspSignerUseCase,
        AnswerOcspStatusUseCase,
        SignSealInfoUseCase,
        UkeyQueries,
        UkeyCertificates,
        UkeyMedium,
        UkeySoPins,
        ImportUkeysUseCase,
        TransitionUkeyUseCase,
        CollectUkeyUseCase,
        CreateDispatchBatchUseCase,
        ReceiveDispatchBatchUseCase,
        ReleaseProductionSoPinUseCase,
        AuthoriseUnlockUseCase,
        ConfirmUnlockUseCase,
        IssuePlatformHeldCertificateUseCase,
        SignWithPlatformKeyUseCase,
        CertificateOverviewQuery,
        CertificateMetrics,
        ActivityBuffer,
        ActivityEventsListener,
        ReportActivityUseCase,
        InvalidationRunner,
        InvalidationJobs,
        StartInvalidationRunUseCase,
        InvalidListQueries,
        ReminderRunner,
        ReminderJobs,
        WorkingCalendarClient,
      ],
    };
  }
}
