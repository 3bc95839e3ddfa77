/** Why a CMS operation refused; `code` is stable for callers, `message` is for people and logs. */
export type CmsErrorCode = 'cms_malformed' | 'signature_invalid' | 'unsupported_algorithm' | 'certificate_mismatch';

export class CmsError extends Error {
  override readonly name = 'CmsError';

  constructor(
    readonly code: CmsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
