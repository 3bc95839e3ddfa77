import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from './gateway.tokens';
import { RpcClient } from './rpc/rpc-client.service';
import { ProblemFilter } from './problem/problem.filter';
import { JsonBodyInterceptor } from './problem/json-body.interceptor';
import { HealthController } from './health/health.controller';
import { BackingStoresProbe } from './health/backing-stores.probe';
import { CertificatesController } from './certificates/certificates.controller';
import { CertificateActivityController } from './certificates/certificate-activity.controller';
import { InvalidListController } from './invalid-list/invalid-list.controller';
import { DiscardedCertificatesController } from './discarded-certificates/discarded-certificates.controller';
import { PkiController } from './pki/pki.controller';
import { CasController } from './cas/cas.controller';
import { SealsController } from './seals/seals.controller';
import { OcspCache } from './pki/ocsp-cache.service';
import { OcspDelegatedSigners } from './pki/ocsp-delegated-signers.service';
import { OcspNonceAnswerer } from './pki/ocsp-nonce-answerer.service';
import { gatewayDatabaseProvider } from './database/gateway-database.provider';
import { GatewayRedisLifecycle, gatewayRedisProvider } from './redis/gateway-redis.provider';
import { AccessService } from './access/access.service';
import { CertificateStatusCache } from './access/certificate-status.cache';
import { CredentialCache } from './access/credential.cache';
import { CredentialUseRecorder } from './access/credential-use.recorder';
import { AccessGuard } from './access/access.guard';
import { RateLimiter } from './access/rate-limiter.service';
import { AuditTrail } from './audit/audit-trail.service';
import { AuditInterceptor } from './audit/audit.interceptor';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { AuditController } from './audit/audit.controller';
import { auditKeysProvider } from './audit/audit-keys.provider';
import { AnonymousRefusals } from './audit/anonymous-refusals.service';
import { AuditCheckpointer } from './audit/audit-checkpointer.service';
import { DomainEventsAudit } from './audit/events/domain-events-audit.listener';
import { AuditLifecycle } from './audit/audit-lifecycle.service';
import { AuthController } from './auth/auth.controller';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { StaffController } from './staff/staff.controller';
import { StaffService } from './staff/staff.service';
import { ApplicationsController } from './applications/applications.controller';
import { MaterialIntake } from './applications/material-intake.service';
import { documentStoreProvider } from './applications/document-store.provider';
import { CalendarController } from './calendar/calendar.controller';
import { UkeysController } from './ukeys/ukeys.controller';
import { DocumentsController } from './documents/documents.controller';
import { SealUseController } from './documents/seal-use.controller';
import { DocumentIntake } from './documents/document-intake.service';
import { pdfStoreProvider } from './documents/document-store.provider';
import { OperationsController } from './operations/operations.controller';
import { OperationsQueues } from './operations/operations-queues.service';
import { OperationsOverviewService } from './operations/operations-overview.service';
import { DeadLettersQuery } from './operations/dead-letters.query';
import { QueueBoard } from './operations/queue-board.service';
import { MetricsScrape } from './operations/metrics-scrape.service';
import { MetricsServer } from './operations/metrics-server.service';
import { WebhooksController } from './notifications/webhooks.controller';
import { WebhookSubscriptions } from './notifications/subscriptions/webhook-subscriptions.service';
import { WebhookDispatcher } from './notifications/deliveries/webhook-dispatcher.service';
import { WebhookDeliveryLog } from './notifications/deliveries/webhook-delivery-log.service';
import { MailNotifier } from './notifications/mail/mail-notifier.service';
import { NotificationEvents } from './notifications/notification-events.listener';

@Module({})
export class GatewayModule {
  static forRoot(config: EcertConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController, CertificatesController, PkiController, CasController, SealsController, AuthController, ClientsController, StaffController, AuditController, ApplicationsController, CalendarController, UkeysController, DocumentsController, SealUseController, OperationsController, WebhooksController, CertificateActivityController, InvalidListController, DiscardedCertificatesController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
        // First: a body of the wrong Content-Type is refused before anything is audited or done.
        { provide: APP_INTERCEPTOR, useClass: JsonBodyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        // After the audit interceptor: a replayed answer is audited like any other call.
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        gatewayDatabaseProvider,
        gatewayRedisProvider,
        GatewayRedisLifecycle,
        AccessService,
        CertificateStatusCache,
        CredentialCache,
        CredentialUseRecorder,
        RateLimiter,
        auditKeysProvider,
        AuditTrail,
        AnonymousRefusals,
        AuditCheckpointer,
        DomainEventsAudit,
        AuditLifecycle,
        ClientsService,
        StaffService,
        RpcClient,
        BackingStoresProbe,
        OcspCache,
        OcspDelegatedSigners,
        OcspNonceAnswerer,
        documentStoreProvider,
        MaterialIntake,
        pdfStoreProvider,
        DocumentIntake,
        OperationsQueues,
        OperationsOverviewService,
        DeadLettersQuery,
        QueueBoard,
        MetricsScrape,
        MetricsServer,
        WebhookSubscriptions,
        WebhookDispatcher,
        WebhookDeliveryLog,
        MailNotifier,
        NotificationEvents,
      ],
    };
  }
}
