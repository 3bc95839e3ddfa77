/** What an idempotency key may look like (the gateway's `Idempotency-Key` header too): 8-128 of `[A-Za-z0-9._:-]`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * A command the receiving service carries out at most once per caller and key. A caller that got
 * no answer (a NATS timeout: did the first attempt run?) sends the very same command again with
 * the same key and gets the result of the first run — the current view of the certificate or seal
 * it made or changed — instead of a second one; the key with another command or body is a 422
 * `idempotency_key_reused`. Keys are the caller's own (a bus principal, and for the gateway the
 * acting client or staff member), kept at least 30 days. Only the bus carries it: REST clients use
 * the `Idempotency-Key` header, and the gateway refuses the field in a body.
 */
export interface IdempotentCommand {
  /** 8-128 letters, digits or `. _ : -`, e.g. `application:<id>:issue`; see IdempotentCommand. */
  idempotencyKey?: string;
}
