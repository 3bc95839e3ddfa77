import { natsPrefix, Subjects } from './subjects';

/**
 * Who may act on the bus, and as whom. Every request carries a context token signed by the
 * process that sent it (Ed25519); services verify it against the senders they trust and take the
 * caller's identity and region scope from the verified token only, never from plain fields.
 */
export const BUS_PRINCIPALS = ['gateway', 'cert-service', 'seal-service', 'workflow-service'] as const;
export type BusPrincipal = (typeof BUS_PRINCIPALS)[number];

/** What a context token says (signed as canonical JSON, `<payload b64url>.<signature b64url>`). */
export interface BusContextClaims {
  v: 1;
  /** The process that signed the token. */
  iss: BusPrincipal;
  /** Request id, for logs across processes. */
  rid: string;
  /** Registered client system acting (gateway tokens). */
  cid?: string;
  /** Staff member acting, or the service itself for its own work (event handling). */
  act?: string;
  role?: string;
  /** Operations granted to the caller (gateway tokens). */
  ops: string[];
  /** Region scope; `000000` is national. Empty = no scope. */
  reg: string[];
  iat: number;
  /** Seconds since the epoch; a token is refused after it. */
  exp: number;
  /** The subject this token was made for: it is refused on any other. */
  sub: string;
  /** SHA-256 (base64url) of the request's data as JSON: it is refused with any other body. */
  bdy: string;
  /** A service acting inside a gateway request forwards the gateway's token here. */
  up?: string;
}

export interface SubjectPolicy {
  /** Principals that may send this request. */
  callers: readonly BusPrincipal[];
  /** Operation the acting client/staff must hold (checked on the gateway's token). */
  operation?: string;
}

const gatewayOnly = (operation?: string): SubjectPolicy => ({ callers: ['gateway'], ...(operation ? { operation } : {}) });
/** The gateway for its callers, and the workflow-service carrying out an approved application (its own decision, checked there). */
const gatewayOrWorkflow = (operation: string): SubjectPolicy => ({ callers: ['gateway', 'workflow-service'], operation });

/**
 * The bus's access table: every request subject and who may send it. A subject missing here is
 * refused to everyone. Public PKI reads and the login handshake carry an anonymous gateway token.
 */
export const SUBJECT_POLICY: Readonly<Record<string, SubjectPolicy>> = {
  [Subjects.cert.health]: gatewayOnly(),
  [Subjects.cert.issue]: gatewayOrWorkflow('certificates:issue'),
  [Subjects.cert.get]: { callers: ['gateway', 'seal-service', 'workflow-service'], operation: 'certificates:read' },
  [Subjects.cert.list]: gatewayOrWorkflow('certificates:read'),
  [Subjects.cert.freeze]: gatewayOrWorkflow('certificates:manage'),
  [Subjects.cert.unfreeze]: gatewayOrWorkflow('certificates:manage'),
  [Subjects.cert.revoke]: gatewayOrWorkflow('certificates:manage'),
  [Subjects.cert.renew]: gatewayOrWorkflow('certificates:issue'),
  [Subjects.cert.authenticate]: gatewayOnly(),
  [Subjects.cert.caCertificate]: gatewayOnly(),
  [Subjects.cert.caList]: { callers: ['gateway', 'seal-service'] },
  [Subjects.cert.caRevoke]: gatewayOnly('admin'),
  [Subjects.cert.crl]: gatewayOnly(),
  [Subjects.cert.ocsp]: gatewayOnly(),
  [Subjects.cert.ocspDelegate]: gatewayOnly(),
  [Subjects.cert.ocspStatus]: gatewayOnly(),
  [Subjects.cert.sealMakerSign]: { callers: ['seal-service'] },
  [Subjects.cert.ukeyImport]: gatewayOnly('ukeys:manage'),
  [Subjects.cert.ukeyList]: gatewayOrWorkflow('ukeys:read'),
  [Subjects.cert.ukeyGet]: gatewayOrWorkflow('ukeys:read'),
  // Per action in the cert-service (return: ukeys:return; certificate effects: certificates:manage too).
  [Subjects.cert.ukeyTransition]: gatewayOrWorkflow('ukeys:read'),
  // Only as the last step of an application: the workflow-service checked the collector.
  [Subjects.cert.ukeyCollect]: { callers: ['workflow-service'] },
  [Subjects.cert.dispatchCreate]: gatewayOnly('ukeys:dispatch'),
  [Subjects.cert.dispatchReceive]: gatewayOnly('ukeys:dispatch'),
  [Subjects.cert.dispatchGet]: gatewayOnly('ukeys:read'),
  // SO PINs leave the cert-service only for an application the workflow-service says is at that step.
  [Subjects.cert.ukeyProductionSoPin]: { callers: ['workflow-service'] },
  [Subjects.cert.ukeyUnlockAuthorisation]: { callers: ['workflow-service'] },
  [Subjects.cert.ukeyUnlockConfirm]: { callers: ['workflow-service'] },
  [Subjects.cert.platformKeyIssue]: gatewayOnly('admin'),
  // Only the seal-service, and the use case further requires the forwarded gateway context of a
  // document-sealing request (Subjects.seal.documentSeal) whose caller holds documents:seal.
  [Subjects.cert.platformKeySign]: { callers: ['seal-service'] },
  [Subjects.seal.health]: gatewayOnly(),
  [Subjects.seal.create]: gatewayOrWorkflow('seals:create'),
  [Subjects.seal.get]: gatewayOnly('seals:read'),
  [Subjects.seal.list]: gatewayOrWorkflow('seals:read'),
  [Subjects.seal.download]: gatewayOrWorkflow('seals:read'),
  [Subjects.seal.verify]: gatewayOnly('seals:verify'),
  [Subjects.seal.extractImage]: gatewayOrWorkflow('seals:create'),
  [Subjects.seal.documentRegister]: gatewayOnly('documents:seal'),
  [Subjects.seal.documentGet]: gatewayOnly('documents:read'),
  [Subjects.seal.documentDownload]: gatewayOnly('documents:read'),
  [Subjects.seal.documentUseRulePut]: gatewayOnly('seals:manage-use'),
  [Subjects.seal.documentUseRuleGet]: gatewayOnly('seals:read'),
  [Subjects.seal.documentUseRequestCreate]: gatewayOnly('documents:seal'),
  [Subjects.seal.documentUseRequestGet]: gatewayOnly('documents:read'),
  [Subjects.seal.documentUseRequestList]: gatewayOnly('documents:read'),
  [Subjects.seal.documentUseRequestDecide]: gatewayOnly('seals:approve-use'),
  [Subjects.seal.documentSeal]: gatewayOnly('documents:seal'),
  [Subjects.seal.documentEmbed]: gatewayOnly('documents:seal'),
  [Subjects.seal.documentVerify]: gatewayOnly('documents:verify'),
  [Subjects.seal.documentReportGet]: gatewayOnly('documents:verify'),
  [Subjects.workflow.health]: gatewayOnly(),
  [Subjects.workflow.applicationCreate]: gatewayOnly('applications:submit'),
  [Subjects.workflow.applicationGet]: gatewayOnly('applications:read'),
  [Subjects.workflow.applicationList]: gatewayOnly('applications:read'),
  [Subjects.workflow.materialAttach]: gatewayOnly('applications:submit'),
  [Subjects.workflow.materialCheck]: gatewayOnly('applications:submit'),
  // The document store is shared: the seal-service's retention never removes bytes a material still uses.
  [Subjects.workflow.materialsReferenced]: { callers: ['seal-service'] },
  [Subjects.workflow.applicationSubmit]: gatewayOnly('applications:submit'),
  [Subjects.workflow.applicationDecide]: gatewayOnly('applications:review'),
  [Subjects.workflow.applicationWithdraw]: gatewayOnly('applications:submit'),
  [Subjects.workflow.applicationProduction]: gatewayOnly('applications:produce'),
  [Subjects.workflow.applicationCollect]: gatewayOnly('applications:dispatch'),
  [Subjects.workflow.applicationRetry]: gatewayOnly('admin'),
  [Subjects.workflow.applicationAbort]: gatewayOnly('admin'),
  [Subjects.workflow.productionSoPin]: gatewayOnly('applications:produce'),
  [Subjects.workflow.unlockAuthorisation]: gatewayOnly('applications:unlock'),
  [Subjects.workflow.unlockCompletion]: gatewayOnly('applications:unlock'),
  [Subjects.workflow.calendarStatus]: gatewayOnly('applications:read'),
  [Subjects.workflow.calendarPut]: gatewayOnly('admin'),
  // The operators' view. Metrics are asked by the gateway itself for its /metrics (no caller's
  // operation: counts and ages only, no personal data); overviews for a caller holding operations:read.
  [Subjects.cert.operationsMetrics]: gatewayOnly(),
  [Subjects.seal.operationsMetrics]: gatewayOnly(),
  [Subjects.workflow.operationsMetrics]: gatewayOnly(),
  [Subjects.cert.operationsOverview]: gatewayOnly('operations:read'),
  [Subjects.workflow.operationsOverview]: gatewayOnly('operations:read'),
  // The gateway's notifier on its own errand (no client, no staff): checked again in the workflow-service.
  [Subjects.workflow.handlerContact]: gatewayOnly(),
  [Subjects.workflow.calendarOverrides]: { callers: ['cert-service'] },
  [Subjects.cert.activityReport]: gatewayOnly('certificates:activity'),
  [Subjects.cert.invalidList]: gatewayOnly('certificates:read'),
  [Subjects.cert.discardedList]: gatewayOnly('audit:read'),
  [Subjects.cert.invalidationRunStart]: gatewayOnly('admin'),
  [Subjects.cert.invalidationRunGet]: gatewayOnly('admin'),
};

/** The principal that answers a request subject (`<prefix>.v1.<service>.…`): only its signed replies are believed. */
export function subjectResponder(subject: string): BusPrincipal | undefined {
  const service = subject.split('.')[2];
  return service === 'cert' ? 'cert-service' : service === 'seal' ? 'seal-service' : service === 'workflow' ? 'workflow-service' : undefined;
}

/** Which principal alone may publish events of a type (by type prefix). */
export const EVENT_PUBLISHERS: readonly { prefix: string; publisher: BusPrincipal }[] = [
  { prefix: 'certificate.', publisher: 'cert-service' },
  { prefix: 'ukey.', publisher: 'cert-service' },
  { prefix: 'seal.', publisher: 'seal-service' },
  { prefix: 'document.', publisher: 'seal-service' },
  { prefix: 'application.', publisher: 'workflow-service' },
];

export function eventPublisher(type: string): BusPrincipal | undefined {
  return EVENT_PUBLISHERS.find((p) => type.startsWith(p.prefix))?.publisher;
}

/** JetStream message headers that carry an event's signature. */
export const EVENT_SIGNER_HEADER = 'Ecert-Signer';
export const EVENT_SIGNATURE_HEADER = 'Ecert-Signature';

/** A durable JetStream consumer: who reads it, and which events it follows. */
export interface DurableConsumerSpec {
  name: string;
  owner: BusPrincipal;
  filterSubject: string;
  /**
   * Where a new consumer starts: `all` (default) the whole retained stream, `new` only events
   * published after it was created (one that notifies the outside world must not send a month of
   * old events when it is first deployed).
   */
  deliverPolicy?: 'all' | 'new';
  /**
   * The inbox key its events are recorded under, when not its name: a bulk-lane consumer shares
   * its ordinary twin's, so an event is applied once per follower whichever lane carried it.
   */
  inboxKey?: string;
}

/** The durable consumers of the events stream, by role. */
export type DurableConsumerKey =
  | 'sealCertificates'
  | 'sealCertificatesBulk'
  | 'workflowUkeys'
  | 'gatewayAudit'
  | 'gatewayAuditBulk'
  | 'gatewayNotifications'
  | 'gatewayNotificationsBulk'
  | 'certSealActivity'
  | 'certDocumentActivity';

/**
 * Every durable consumer of the events stream, for a subject prefix. With NATS authorisation the
 * operator creates them (`npm run nats:provision`) and each owner may only read and ack its own:
 * a service that could create consumers could point one's delivery at another's command subject.
 *
 * Each follower of certificate events has a twin on the bulk lane (`<prefix>.bulk.>`, see
 * BULK_EVENT_TYPES), run by the same handler into the same inbox: a consumer reads in stream order,
 * and NATS 2.9 takes one filter per consumer, so a freeze would otherwise wait behind every
 * invalidation already in the stream.
 */
export function durableConsumers(prefix = natsPrefix): Record<DurableConsumerKey, DurableConsumerSpec> {
  const bulkTwin = (of: DurableConsumerSpec, filterSubject: string): DurableConsumerSpec => ({
    ...of,
    name: `${of.name}-bulk`,
    filterSubject,
    inboxKey: of.name,
  });
  const sealCertificates: DurableConsumerSpec = { name: `${prefix}-seal-service-certificates`, owner: 'seal-service', filterSubject: `${prefix}.evt.v1.certificate.>` };
  const gatewayAudit: DurableConsumerSpec = { name: `${prefix}-gateway-audit`, owner: 'gateway', filterSubject: `${prefix}.evt.>` };
  // Webhooks and e-mail (certificate, seal and application events; one filter, so all events).
  // From its creation on: the retained stream (30 days) is not sent to receivers and handlers again.
  const gatewayNotifications: DurableConsumerSpec = { name: `${prefix}-gateway-notifications`, owner: 'gateway', filterSubject: `${prefix}.evt.>`, deliverPolicy: 'new' };
  return {
    // 第二十条 activity the cert-service does not see itself: seals made, documents sealed.
    certSealActivity: { name: `${prefix}-cert-service-seal-activity`, owner: 'cert-service', filterSubject: `${prefix}.evt.v1.seal.created` },
    certDocumentActivity: { name: `${prefix}-cert-service-document-activity`, owner: 'cert-service', filterSubject: `${prefix}.evt.v1.document.sealed` },
    workflowUkeys: { name: `${prefix}-workflow-service-ukeys`, owner: 'workflow-service', filterSubject: `${prefix}.evt.v1.ukey.>` },
    sealCertificates,
    sealCertificatesBulk: bulkTwin(sealCertificates, `${prefix}.bulk.v1.certificate.>`),
    gatewayAudit,
    gatewayAuditBulk: bulkTwin(gatewayAudit, `${prefix}.bulk.>`),
    gatewayNotifications,
    // From the start of the bulk subjects, not "new": a twin created after the cert-service began
    // publishing on them (provisioning order, a gateway started later) must not drop the invalid
    // list's webhooks and the reminders' mail in between. Nothing older than the lane is on them,
    // and the shared inbox key drops what its twin or an earlier incarnation already sent.
    gatewayNotificationsBulk: { ...bulkTwin(gatewayNotifications, `${prefix}.bulk.>`), deliverPolicy: 'all' },
  };
}

/**
 * Durable consumers an earlier release created and this one no longer runs: removed where the
 * stream is provisioned (a leftover keeps its state on the server and counts what it never reads).
 * The workflow-service's certificate followers (ordinary and bulk lane) only recorded each event in
 * its inbox — no reaction hung off them — and cost every issuance ≈ 1.5 ms of CPU across the
 * workflow-service, NATS and PostgreSQL (docs/decisions.md, "Followers that do nothing are not run").
 */
export function retiredDurableConsumers(prefix = natsPrefix): string[] {
  return [`${prefix}-workflow-service-certificates`, `${prefix}-workflow-service-certificates-bulk`];
}

/** The events stream's name for a subject prefix. */
export const eventsStreamName = (prefix = natsPrefix) => `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_EVENTS`;
