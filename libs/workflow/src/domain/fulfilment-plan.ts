/**
 * The steps that carry out an application. `await_*` steps wait for a person (the CA operator's
 * station, the handler at the city office); the others are commands to the cert- and seal-service,
 * each sent with an idempotency key made from the application and the step, so a retry after a
 * timeout can never issue twice.
 */
export const FULFILMENT_STEPS = [
  'await_production',
  'issue_certificate',
  'renew_certificate',
  'make_seals',
  'freeze_certificate',
  'unfreeze_certificate',
  'revoke_certificate',
  /** After the replacement exists: the certificate it replaces is revoked (第十七条 原有的…予以注销). */
  'revoke_replaced',
  /** …and the UKey it was on is retired: permanently lost (a reissue after loss) or terminated. */
  'retire_replaced_ukey',
  /** Medium replacement: the old UKey is recorded as damaged, with the reviewer's non-human cause (第十八条). */
  'mark_ukey_damaged',
  /** An aborted application's own certificate is revoked (its seals follow): nothing half-made stays trusted. */
  'revoke_issued',
  /** The UKey travels to the city office in a dispatch batch; ready for collection when it is there. */
  'dispatch',
  'await_collection',
] as const;
export type FulfilmentStepName = (typeof FULFILMENT_STEPS)[number];

export const WAITING_STEPS: ReadonlySet<FulfilmentStepName> = new Set(['await_production', 'dispatch', 'await_collection']);

/** The idempotency key of a step's command: stable across retries and restarts. */
export function stepIdempotencyKey(applicationId: string, step: FulfilmentStepName, part?: string | number): string {
  return `app:${applicationId}:${step}${part === undefined ? '' : `:${part}`}`;
}

/** Retry policy: transient failures back off exponentially; after the last attempt a person must look. */
export const STEP_MAX_ATTEMPTS = 8;

export function stepBackoffMs(attempt: number, baseMs = 1000, capMs = 5 * 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Problems worth retrying: the other side was down, slow or busy, not saying no. */
export function isTransientProblem(status: number, code?: string): boolean {
  if (status === 502 || status === 503 || status === 504) return code !== 'bus_reply_forged';
  return status === 429 || code === 'database_busy' || code === 'concurrent_modification';
}
