/**
 * Every NATS subject that crosses a process boundary. Subjects carry a version segment so a
 * producer and a consumer of different releases fail loudly instead of misreading each other.
 *
 * The prefix comes from ECERT_NATS_PREFIX when this module is first loaded (default `ecert`):
 * test runs set their own so they can share one NATS server without hearing each other.
 */
export const natsPrefix: string = process.env.ECERT_NATS_PREFIX || 'ecert';

const rpc = (path: string) => `${natsPrefix}.v1.${path}`;
const evt = (type: string) => `${natsPrefix}.evt.v1.${type}`;
const bulk = (type: string) => `${natsPrefix}.bulk.v1.${type}`;

export const Subjects = {
  cert: {
    health: rpc('cert.health'),
    issue: rpc('cert.certificates.issue'),
    get: rpc('cert.certificates.get'),
    list: rpc('cert.certificates.list'),
    freeze: rpc('cert.certificates.freeze'),
    unfreeze: rpc('cert.certificates.unfreeze'),
    revoke: rpc('cert.certificates.revoke'),
    renew: rpc('cert.certificates.renew'),
    /** Is this certificate one of ours, valid and not revoked or frozen? Counts as its activity. */
    authenticate: rpc('cert.certificates.authenticate'),
    caCertificate: rpc('cert.ca.certificate'),
    caList: rpc('cert.ca.list'),
    /** Revoke a CA-held certificate (issuing CA, OCSP signer, seal maker): admin only. */
    caRevoke: rpc('cert.ca.revoke'),
    /** Certificates the CAs signed that issued nothing (refused after signing): for reconciling HSM logs. */
    discardedList: rpc('cert.ca.discarded.list'),
    crl: rpc('cert.crl.get'),
    ocsp: rpc('cert.ocsp.respond'),
    /**
     * Core NATS broadcast: cached OCSP answers for these serials are stale from now on; with
     * `casChanged` the CA set changed too (a CA revoked or replaced), and every instance reloads it.
     */
    ocspInvalidate: rpc('cert.ocsp.invalidate'),
    /** A gateway's own delegated OCSP responder certificate for an issuing CA (its key never leaves the gateway). */
    ocspDelegate: rpc('cert.ocsp.delegate'),
    /** Statuses of a batch of serials under one issuing CA, for the gateway's OCSP status view. */
    ocspStatus: rpc('cert.ocsp.status'),
    /** The seal-maker (制章者) signs a seal's SES_SealInfo; its key never leaves the cert-service. */
    sealMakerSign: rpc('cert.seal-maker.sign'),
    ukeyImport: rpc('cert.ukeys.import'),
    ukeyList: rpc('cert.ukeys.list'),
    ukeyGet: rpc('cert.ukeys.get'),
    ukeyTransition: rpc('cert.ukeys.transition'),
    /** The handler collected it at the city office (the workflow-service checked the person). */
    ukeyCollect: rpc('cert.ukeys.collect'),
    dispatchCreate: rpc('cert.ukeys.dispatch.create'),
    dispatchReceive: rpc('cert.ukeys.dispatch.receive'),
    dispatchGet: rpc('cert.ukeys.dispatch.get'),
    /** The SO PIN of a fresh UKey for the production station, for an approved application only. */
    ukeyProductionSoPin: rpc('cert.ukeys.so-pin.production'),
    /** The one-time unlock authorisation (SO PIN) of an approved unlock application. */
    ukeyUnlockAuthorisation: rpc('cert.ukeys.so-pin.unlock'),
    /** The unlock tool set the next SO PIN: the UKey's SO PIN generation advances. */
    ukeyUnlockConfirm: rpc('cert.ukeys.so-pin.unlock.confirm'),
    /** A unit certificate for a key pair generated in the platform's key store (an office's own seal): admin only. */
    platformKeyIssue: rpc('cert.platform-keys.issue'),
    /**
     * Sign a CMS SignedAttributes SET with a platform-held key: the seal-service only, inside the
     * gateway's document-sealing request (Subjects.seal.documentSeal) of a caller holding documents:seal.
     */
    platformKeySign: rpc('cert.platform-keys.sign'),
    /** The operators' view: this service's metrics for the gateway's /metrics, answered by every instance (no queue group) → InstanceMetrics. */
    operationsMetrics: rpc('cert.operations.metrics'),
    /** The operators' view: renewals and invalidations due (OperationsOverviewQuery → CertificateOperationsOverview). */
    operationsOverview: rpc('cert.operations.overview'),
    /** A business system reports certificates it saw used (第二十条 activity). */
    activityReport: rpc('cert.certificates.activity.report'),
    /** The invalid list (失效名单), by region, reason and time. */
    invalidList: rpc('cert.invalid-list.list'),
    /** Start a 第二十条 run (dry: counts only). */
    invalidationRunStart: rpc('cert.invalid-list.runs.start'),
    invalidationRunGet: rpc('cert.invalid-list.runs.get'),
  },
  seal: {
    health: rpc('seal.health'),
    create: rpc('seal.seals.create'),
    get: rpc('seal.seals.get'),
    list: rpc('seal.seals.list'),
    download: rpc('seal.seals.download'),
    verify: rpc('seal.seals.verify'),
    extractImage: rpc('seal.images.extract'),
    /** Register a PDF the gateway put into the document store (by its SHA-256): checked again, pages counted. */
    documentRegister: rpc('seal.documents.register'),
    documentGet: rpc('seal.documents.get'),
    /** Where the gateway finds the bytes of a document the caller may download (never the bytes). */
    documentDownload: rpc('seal.documents.download'),
    /** Who may use a seal and whether a use needs approval (第十四条, 第十六条): the unit's administrator. */
    documentUseRulePut: rpc('seal.documents.use-rules.put'),
    documentUseRuleGet: rpc('seal.documents.use-rules.get'),
    /** Ask to put a seal on exactly this document (its SHA-256), there, for that purpose. */
    documentUseRequestCreate: rpc('seal.documents.use-requests.create'),
    documentUseRequestGet: rpc('seal.documents.use-requests.get'),
    documentUseRequestList: rpc('seal.documents.use-requests.list'),
    documentUseRequestDecide: rpc('seal.documents.use-requests.decide'),
    /** Seal a stored PDF document (the gateway's document-sealing request; see platformKeySign). */
    documentSeal: rpc('seal.documents.seal'),
    /** Finish a deferred signing session with the signature the UKey made. */
    documentEmbed: rpc('seal.documents.sessions.embed'),
    /** Verify every signature of a PDF the gateway put into the document store. */
    documentVerify: rpc('seal.documents.verify'),
    documentReportGet: rpc('seal.documents.verification-reports.get'),
    /** The operators' view: this service's metrics, answered by every instance (no queue group) → InstanceMetrics. */
    operationsMetrics: rpc('seal.operations.metrics'),
  },
  gateway: {
    /**
     * Core NATS broadcast among gateway processes (CredentialInvalidation): a client's credentials
     * or standing changed (a credential revoked, the client enabled or disabled); drop what is cached of them.
     */
    credentialsInvalidate: rpc('gateway.credentials.invalidate'),
  },
  workflow: {
    health: rpc('workflow.health'),
    applicationCreate: rpc('workflow.applications.create'),
    applicationGet: rpc('workflow.applications.get'),
    applicationList: rpc('workflow.applications.list'),
    materialAttach: rpc('workflow.applications.materials.attach'),
    /** May this caller attach (this kind of) material to this application now? Asked before an upload is read. */
    materialCheck: rpc('workflow.applications.materials.check'),
    /** Which of these SHA-256s are application materials (the seal-service's retention asks before it removes bytes). */
    materialsReferenced: rpc('workflow.materials.referenced'),
    /** Accept a draft (or resubmit one returned for supplement) into review. */
    applicationSubmit: rpc('workflow.applications.submit'),
    applicationDecide: rpc('workflow.applications.decide'),
    /** The filer withdraws it, or staff of its region cancel it, before approval. */
    applicationWithdraw: rpc('workflow.applications.withdraw'),
    applicationProduction: rpc('workflow.applications.production'),
    applicationCollect: rpc('workflow.applications.collect'),
    /** Carry out an application in needs_attention again, from the step that failed. */
    applicationRetry: rpc('workflow.applications.retry'),
    /** Give up an application that cannot be carried out: what it issued is revoked, and it closes. */
    applicationAbort: rpc('workflow.applications.abort'),
    /** The production station asks for the SO PIN of the UKey it is about to initialise. */
    productionSoPin: rpc('workflow.applications.production.so-pin'),
    /** The unlock tool asks for the one-time authorisation of an approved unlock application. */
    unlockAuthorisation: rpc('workflow.applications.unlock-authorisation'),
    /** The unlock tool reset the PIN and rotated the SO PIN: the unlock application completes. */
    unlockCompletion: rpc('workflow.applications.unlock-completion'),
    calendarStatus: rpc('workflow.calendar.status'),
    calendarPut: rpc('workflow.calendar.put'),
    /** The operators' view: this service's metrics, answered by every instance (no queue group) → InstanceMetrics. */
    operationsMetrics: rpc('workflow.operations.metrics'),
    /** The operators' view: SLA breaches, applications needing attention (OperationsOverviewQuery → WorkflowOperationsOverview). */
    operationsOverview: rpc('workflow.operations.overview'),
    /** The handler (经办人) to e-mail about a certificate: of the application that issued or last serviced it (the gateway's notifier only). */
    handlerContact: rpc('workflow.certificates.handler-contact'),
    /** The operators' calendar overrides, for services that count working days themselves (the cert-service's reminders). */
    calendarOverrides: rpc('workflow.calendar.overrides'),
  },
} as const;

/** JetStream stream holding every domain event (subjects `<prefix>.evt.>` and `<prefix>.bulk.>`). */
export const EVENTS_STREAM = `${natsPrefix.replace(/[^A-Za-z0-9_-]/g, '_')}_EVENTS`;
export const EVENTS_SUBJECT_WILDCARD = `${natsPrefix}.evt.>`;
/** The bulk lane's subjects (BULK_EVENT_TYPES), in the same stream but outside `<prefix>.evt.>`. */
export const BULK_EVENTS_SUBJECT_WILDCARD = `${natsPrefix}.bulk.>`;

export const EventSubjects = {
  certificateIssued: evt('certificate.issued'),
  certificateFrozen: evt('certificate.frozen'),
  certificateUnfrozen: evt('certificate.unfrozen'),
  certificateRevoked: evt('certificate.revoked'),
  certificateRenewed: evt('certificate.renewed'),
  certificateInvalidated: evt('certificate.invalidated'),
  certificateRenewalDue: evt('certificate.renewal_due'),
  certificateExpired: evt('certificate.expired'),
} as const;

export function eventSubject(type: string): string {
  return evt(type);
}

/**
 * Event types a batch job publishes by the hundred thousand: on their own subjects
 * (`<prefix>.bulk.v1.<type>`), read by consumers of their own, so that no consumer's ordinary
 * events (a freeze) wait behind them in its stream order. A bulk event may overtake an older
 * ordinary one of the same aggregate, so only two kinds belong here: final events, which end the
 * aggregate's story (certificate.invalidated: 第二十条, invalid is final), and news that changes
 * no state (the renewal reminders: certificate.renewal_due, certificate.expired — no consumer
 * moves anything on them, and a reminder arriving before an older freeze's news misleads nobody).
 */
export const BULK_EVENT_TYPES = ['certificate.invalidated', 'certificate.renewal_due', 'certificate.expired'] as const;
export type BulkEventType = (typeof BULK_EVENT_TYPES)[number];

export const isBulkEventType = (type: string): type is BulkEventType => (BULK_EVENT_TYPES as readonly string[]).includes(type);

export const BulkEventSubjects = {
  certificateInvalidated: bulk('certificate.invalidated'),
  certificateRenewalDue: bulk('certificate.renewal_due'),
  certificateExpired: bulk('certificate.expired'),
} as const satisfies Record<string, string>;

export function bulkEventSubject(type: BulkEventType): string {
  return bulk(type);
}

/**
 * Whether an event of `type` may arrive on `subject` (prefix `prefix`): its own event subject,
 * or for a bulk type its bulk subject too (events written before the bulk lane existed came on
 * the ordinary one). A consumer refuses anything else: the signature covers the body, not the
 * subject, so a genuine event replayed on another subject would otherwise be believed there.
 */
export function eventArrivesOn(type: string, subject: string, prefix = natsPrefix): boolean {
  if (subject === `${prefix}.evt.v1.${type}`) return true;
  return isBulkEventType(type) && subject === `${prefix}.bulk.v1.${type}`;
}

/** Every certificate event, for consumers that follow a certificate's whole life. */
export const CERTIFICATE_EVENTS_WILDCARD = `${natsPrefix}.evt.v1.certificate.>`;
