/**
 * Typed errors of the seal library. Callers branch on `code` (stable); messages are for people
 * (operators, logs) and name the structure path that was at fault.
 */
export type SesDecodeErrorCode =
  /** Not DER at all, or a length or tag that cannot be read. */
  | 'MALFORMED_DER'
  /** The input ends inside an element. */
  | 'TRUNCATED'
  /** Bytes after the outer element. */
  | 'TRAILING_DATA'
  /** DER, but not the SES structure (wrong tag, missing field, wrong field type). */
  | 'UNEXPECTED_STRUCTURE'
  /** A seal or signature layout that is neither GM/T 0031 v1 nor GB/T 38540 v4, or not the version asked for. */
  | 'UNSUPPORTED_VERSION';

export type SesErrorCode = SesDecodeErrorCode | 'INVALID_INPUT';

export abstract class SesError extends Error {
  abstract readonly code: SesErrorCode;
}

/** Undecodable SES_Seal / SES_Signature bytes. `path` is where decoding stopped, e.g. `SES_Seal.eSealInfo.property.name`. */
export class SesDecodeError extends SesError {
  override readonly name = 'SesDecodeError';

  constructor(
    readonly code: SesDecodeErrorCode,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`电子印章数据格式错误 (invalid seal data at ${path}: ${detail})`);
  }
}

/**
 * Builder input that must not go into a seal or signature (empty name, picture that is not the
 * declared type, signer that is not the certificate's key...). Raised before anything is signed.
 */
export class SesInputError extends SesError {
  readonly code = 'INVALID_INPUT' as const;
  override readonly name = 'SesInputError';

  constructor(
    /** The input field at fault, e.g. `picture.data`, `makerSigner`. */
    readonly field: string,
    readonly detail: string,
  ) {
    super(`电子印章参数无效 (invalid seal input ${field}: ${detail})`);
  }
}

/**
 * Runs an encoder step and turns the plain errors of the DER writers (RangeError for a bad OID,
 * date or layout; SesDecodeError for an embedded element that is not DER) into SesInputError.
 */
export function asInputError<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SesInputError) throw err;
    if (err instanceof RangeError || err instanceof SesDecodeError) throw new SesInputError(field, err.message);
    throw err;
  }
}
