import type { ProblemCodeValue } from './problem-codes';

/**
 * What a caller is told of a fault (5xx), by code: a fixed text saying what is known of the
 * request's fate and what to do, never the thrower's detail — that may carry a driver's message
 * (a host and port), an internal subject, stored state. The thrower's detail goes to the log with
 * the request id. The texts hold on every route: certificate routes hand the Idempotency-Key on to
 * the cert-service (a retry gets the first run's result); other routes keep the key claimed for
 * 10 minutes after a 5xx (a retry meanwhile gets 409) and then release it, so the texts promise no
 * more than that.
 */
export const FAULT_DETAILS: Partial<Record<ProblemCodeValue | string, string | Partial<Record<number, string>>>> = {
  // A 502 of that code (Nest's own, a proxy's) says nothing of what was done: the status's text.
  service_unavailable: { 503: 'The service is not available. Retry later.' },
  service_timeout:
    'The service did not answer in time: the request may have been carried out. Check its result before repeating it. On certificate routes a retry with the same Idempotency-Key answers with the first result; elsewhere the key is held for 10 minutes (a retry meanwhile gets 409).',
  database_busy: 'The database was too busy to answer in time. Retry shortly.',
  database_unavailable: 'The database is unreachable. Retry later.',
  store_unavailable: 'Redis did not answer in time. Retry later.',
  audit_unavailable: {
    503: 'Nothing was done: the attempt could not be audited. Retry later.',
    500: 'The request was carried out but its outcome could not be audited: check its result before repeating it, or retry with the same Idempotency-Key.',
  },
  ca_revoked: 'The issuing CA, or a CA above it, is revoked: it signs nothing more.',
  bus_reply_forged: 'A reply inside the platform was refused (not signed by its service): the request may have been carried out. Check its result before repeating it.',
  tsa_unavailable: 'The time-stamping authority did not answer; nothing was sealed. Retry later.',
  tsa_answer_invalid: "The time-stamping authority's answer was refused; nothing was sealed.",
  platform_signature_invalid: "The platform key's signature did not verify; nothing was sealed.",
  internal_error: 'Unexpected error',
};

/** The text of a fault of a code not in FAULT_DETAILS, by status. */
const STATUS_FAULT_DETAILS: Record<number, string> = {
  500: 'Unexpected error',
  502: 'Unexpected error',
  503: 'The service is not available. Retry later.',
  504: 'The service did not answer in time: the request may have been carried out. Check its result before repeating it.',
};

/**
 * The few thrown 5xx details sent as they are: they name nothing internal (a CA id is public,
 * sent by the caller in the path) and say more than the fixed text. Anything else is replaced.
 */
export const PUBLIC_FAULT_DETAILS: Partial<Record<ProblemCodeValue | string, readonly RegExp[]>> = {
  service_unavailable: [/^CRL of [A-Za-z0-9._-]{1,64} is not published$/, /^No CRL for [A-Za-z0-9._-]{1,64} yet$/, /^The seal-maker certificate changed during the request; retry$/],
};

/** The detail a fault of `code` and `status` is sent with (`thrown`: the thrower's, kept only if allowed). */
export function faultDetail(code: string, status: number, thrown: string | undefined): string {
  if (thrown !== undefined && PUBLIC_FAULT_DETAILS[code]?.some((re) => re.test(thrown))) return thrown;
  const fixed = FAULT_DETAILS[code];
  const text = typeof fixed === 'string' ? fixed : fixed?.[status];
  return text ?? STATUS_FAULT_DETAILS[status] ?? 'Unexpected error';
}
