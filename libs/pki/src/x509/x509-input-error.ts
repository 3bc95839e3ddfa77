/**
 * Thrown when the caller hands the x509 builders something they must not put into a certificate
 * (an over-long name, a bad serial, a URL that is not ASCII...). These are caller errors, found
 * before anything is signed, so nothing half-made ever reaches a CA key.
 */
export class X509InputError extends Error {
  readonly code = 'x509_input_invalid' as const;

  constructor(
    /** The input field at fault, e.g. `subject.CN`, `serialNumber`, `crlUrl`. */
    readonly field: string,
    /** English detail for logs; `messageZh` is the line for Chinese staff. */
    readonly detail: string,
    readonly messageZh: string = `证书参数无效：${field}`,
  ) {
    super(`${messageZh} (invalid certificate input ${field}: ${detail})`);
    this.name = 'X509InputError';
  }
}
