/**
 * Every type a gateway route answers with, by the name the OpenAPI document gives its schema.
 * The schemas are generated from these very types (test/support/response-schemas.ts writes
 * response-schemas.generated.ts; the OpenAPI test fails when it is stale), so the document says
 * what the code returns. A route can only name a listed schema (ApiResult takes a
 * ResponseTypeName), and every one has an example the compiler checks against the type.
 */
import type * as C from '@ecert/contracts';
import type { GatewayHealthView } from '../health/gateway-health.view';
import type { LoginChallengeView, StaffLoginView } from '../auth/auth.views';
import type { AuditCheckpointKeyView, AuditCheckpointsView, AuditRecordView } from '../audit/audit.views';
import type { ClientView, IssuedApiKeyView, RegisteredClientView } from '../clients/client.views';
import type { StaffView } from '../staff/staff.view';
import type { RemovedWebhookSubscriptionView, WebhookSubscriptionSecretView, WebhookSubscriptionView } from '../notifications/subscriptions/webhook-subscription.view';
import type { WebhookDeliveryView } from '../notifications/deliveries/webhook-delivery.view';

export interface ResponseTypes {
  // cert-service
  CaList: C.CaView[];
  CaRevocationResult: C.CaRevocationResult;
  CertificateView: C.CertificateView;
  CertificatePage: C.Page<C.CertificateView>;
  ActivityReportResult: C.ActivityReportResult;
  InvalidListPage: C.InvalidListPage;
  DiscardedCertificatePage: C.DiscardedCertificatePage;
  InvalidationRunView: C.InvalidationRunView;
  UkeyView: C.UkeyView;
  UkeyPage: C.UkeyPage;
  ImportUkeysResult: C.ImportUkeysResult;
  DispatchBatchView: C.DispatchBatchView;
  ProductionSoPinView: C.ProductionSoPinView;
  UnlockAuthorisationView: C.UnlockAuthorisationView;
  // workflow-service
  ApplicationView: C.ApplicationView;
  ApplicationPage: C.Page<C.ApplicationView>;
  CalendarStatusView: C.CalendarStatusView;
  // seal-service
  SealView: C.SealView;
  SealPage: C.Page<C.SealView>;
  SealVerificationView: C.SealVerificationView;
  ExtractedSealImageView: C.ExtractedSealImageView;
  DocumentView: C.DocumentView;
  DocumentVerificationReport: C.DocumentVerificationReport;
  SealedDocumentView: C.SealedDocumentView;
  SealDocumentReply: C.SealDocumentReply;
  SealUseRequestView: C.SealUseRequestView;
  SealUseRequestPage: C.Page<C.SealUseRequestView>;
  SealUseRuleView: C.SealUseRuleView;
  // the gateway's own
  GatewayHealthView: GatewayHealthView;
  LoginChallengeView: LoginChallengeView;
  StaffLoginView: StaffLoginView;
  AuditPage: C.Page<AuditRecordView>;
  AuditCheckpointsView: AuditCheckpointsView;
  AuditCheckpointKeyView: AuditCheckpointKeyView;
  OperationsOverview: C.OperationsOverview;
  ClientView: ClientView;
  ClientPage: C.Page<ClientView>;
  RegisteredClientView: RegisteredClientView;
  IssuedApiKeyView: IssuedApiKeyView;
  StaffView: StaffView;
  StaffPage: C.Page<StaffView>;
  WebhookSubscriptionView: WebhookSubscriptionView;
  WebhookSubscriptionPage: C.Page<WebhookSubscriptionView>;
  WebhookSubscriptionSecretView: WebhookSubscriptionSecretView;
  RemovedWebhookSubscriptionView: RemovedWebhookSubscriptionView;
  WebhookDeliveryView: WebhookDeliveryView;
  WebhookDeliveryPage: C.Page<WebhookDeliveryView>;
}

export type ResponseTypeName = keyof ResponseTypes;

/** Where ResponseTypes is declared (the schema generator's program root). */
export const RESPONSE_TYPES_FILE = 'apps/gateway/src/openapi/response-types.ts';
