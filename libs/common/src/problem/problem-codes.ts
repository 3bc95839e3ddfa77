/**
 * Stable machine codes of every problem ecert reports. Clients switch on `code`, never on text,
 * so a code, once published, keeps its meaning.
 */
export const ProblemCode = {
  validationFailed: 'validation_failed',
  bodyTooLarge: 'body_too_large',
  /** The body was sent as JSON but is not JSON (cannot be parsed). */
  malformedJson: 'malformed_json',
  /** A Content-Type (or charset, or Content-Encoding) the route does not take. */
  unsupportedMediaType: 'unsupported_media_type',
  /** No route has this path (whatever the method). */
  routeNotFound: 'route_not_found',
  /** The path exists, not with this method: the Allow header lists the methods it has. */
  methodNotAllowed: 'method_not_allowed',
  notFound: 'not_found',
  certificateNotFound: 'certificate_not_found',
  caNotFound: 'ca_not_found',
  illegalTransition: 'illegal_state_transition',
  concurrentModification: 'concurrent_modification',
  /** An idempotency key already used by this caller for another command or another body. */
  idempotencyKeyReused: 'idempotency_key_reused',
  certificateLimitReached: 'certificate_limit_reached',
  csrMalformed: 'csr_malformed',
  csrSignatureInvalid: 'csr_signature_invalid',
  keyRejected: 'key_rejected',
  /** The CSR's key was certified before and that certificate was revoked for keyCompromise. */
  keyCompromised: 'key_compromised',
  /** The CA (or a CA above it) is revoked and signs nothing more. */
  caRevoked: 'ca_revoked',
  ukeyNotFound: 'ukey_not_found',
  /** Import of a serial already imported (or twice in one request). */
  ukeyExists: 'ukey_exists',
  /** The UKey is assigned to another application (or to none) than the one named. */
  ukeyApplicationMismatch: 'ukey_application_mismatch',
  /** The UKey holds another unit's certificates. */
  ukeyUnitMismatch: 'ukey_unit_mismatch',
  /** The UKey's unit is not served by the office it is to be dispatched to. */
  ukeyOfficeMismatch: 'ukey_office_mismatch',
  /** The UKey is not in a state that allows what was asked (not a transition: an SO PIN, an issuance). */
  ukeyStateConflict: 'ukey_state_conflict',
  dispatchBatchNotFound: 'dispatch_batch_not_found',
  dispatchBatchAlreadyReceived: 'dispatch_batch_already_received',
  /** The production SO PIN of this UKey was already released for this application. */
  soPinAlreadyReleased: 'so_pin_already_released',
  /** The unlock of this UKey was already authorised for this application. */
  unlockAlreadyAuthorised: 'unlock_already_authorised',
  unlockAuthorisationNotFound: 'unlock_authorisation_not_found',
  /** No instance of the service behind the route is running: the request was not carried out. */
  serviceUnavailable: 'service_unavailable',
  /** The service did not answer in time: a command may or may not have been carried out (retry with the same Idempotency-Key). */
  serviceTimeout: 'service_timeout',
  databaseBusy: 'database_busy',
  databaseUnavailable: 'database_unavailable',
  storeUnavailable: 'store_unavailable',
  /** The audit record of a change could not be written, so the change is not reported as done. */
  auditUnavailable: 'audit_unavailable',
  busContextInvalid: 'bus_context_invalid',
  busCallerForbidden: 'bus_caller_forbidden',
  busReplyForged: 'bus_reply_forged',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  rateLimited: 'rate_limited',
  /** A webhook URL that is not http(s), carries credentials, or points at the platform or a private network. */
  webhookUrlRefused: 'webhook_url_refused',
  /** A client system has as many webhook subscriptions as it may (WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT). */
  webhookSubscriptionLimit: 'webhook_subscription_limit',
  internal: 'internal_error',
} as const;

export type ProblemCodeValue = (typeof ProblemCode)[keyof typeof ProblemCode];
