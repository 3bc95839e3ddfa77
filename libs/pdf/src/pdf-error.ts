/** Why a PDF could not be read, placed on or sealed; `code` is stable (services map it to a 4xx problem). */
export type PdfErrorCode =
  /** Not a readable PDF: no header, a broken cross-reference, an object that does not parse. */
  | 'pdf_malformed'
  /** Encrypted (a trailer /Encrypt): it cannot be sealed or searched without its password. */
  | 'pdf_encrypted'
  /** A readable PDF using something this library does not do (e.g. a certification that forbids changes). */
  | 'pdf_unsupported'
  /** A seal would land on a page with no visible content (第十四条: never on a blank form). */
  | 'pdf_blank_page'
  | 'pdf_page_out_of_range'
  | 'pdf_keyword_not_found';

export class PdfError extends Error {
  override readonly name = 'PdfError';

  constructor(
    readonly code: PdfErrorCode,
    message: string,
    /** The 1-based page the error is about, when there is one. */
    readonly page?: number,
  ) {
    super(message);
  }
}
