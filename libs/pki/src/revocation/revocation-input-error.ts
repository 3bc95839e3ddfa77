/**
 * Thrown when the caller hands a CRL/OCSP builder something it must not sign (a duplicate
 * serial, removeFromCRL in a complete CRL, nextUpdate before thisUpdate...). Raised before any
 * signing, so nothing half-made reaches a CA key.
 */
export class RevocationInputError extends Error {
  readonly code = 'revocation_input_invalid' as const;

  constructor(
    /** The input field at fault, e.g. `entries[3].serial`, `nextUpdate`. */
    readonly field: string,
    /** English detail for logs; `messageZh` is the line for Chinese staff. */
    readonly detail: string,
    readonly messageZh: string = `吊销信息参数无效：${field}`,
  ) {
    super(`${messageZh} (invalid revocation input ${field}: ${detail})`);
    this.name = 'RevocationInputError';
  }
}
