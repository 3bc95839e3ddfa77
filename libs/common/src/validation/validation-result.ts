/**
 * The one result shape every validator in this folder returns. A discriminated union instead of
 * exceptions: bad input is an expected outcome at every boundary (forms, CSR subject fields, RPC
 * payloads), and callers should be forced by the type checker to look at `ok` before `value`.
 */
export interface ValidationSuccess<P> {
  readonly ok: true;
  /** The input in canonical form (trimmed, NFKC-folded, upper-cased where the format says so). */
  readonly value: string;
  /** What the value means, decoded; the shape is specific to each validator. */
  readonly parts: P;
}

export interface ValidationFailure<R extends string> {
  readonly ok: false;
  /** Stable machine code; switch on this, never on the text. */
  readonly reason: R;
  /** Chinese and English in one line, for logs and for end users of either language. */
  readonly message: string;
  /** The two halves of `message`, for UIs that show one language. */
  readonly messages: { readonly zh: string; readonly en: string };
}

export type ValidationResult<P, R extends string> = ValidationSuccess<P> | ValidationFailure<R>;

export function validationSuccess<P>(value: string, parts: P): ValidationSuccess<P> {
  return { ok: true, value, parts };
}

export function validationFailure<R extends string>(reason: R, zh: string, en: string): ValidationFailure<R> {
  return { ok: false, reason, message: `${zh} / ${en}`, messages: { zh, en } };
}

/**
 * Longest input any validator here looks at; anything longer is rejected before regexes run, so a
 * hostile multi-megabyte string costs nothing.
 */
export const MAX_INPUT_LENGTH = 320;

/**
 * Canonical text form shared by all validators: non-strings are refused, NFKC folds the full-width
 * digits and letters that Chinese IMEs produce (１２３, Ｘ, ＠) into ASCII, and surrounding
 * whitespace (including the ideographic space U+3000) is dropped. Inner whitespace is kept, so each
 * validator decides whether it is a separator or an error.
 */
export function normalizeInput(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  if (input.length > MAX_INPUT_LENGTH * 4) return input.slice(0, MAX_INPUT_LENGTH + 1);
  return input.normalize('NFKC').trim();
}
