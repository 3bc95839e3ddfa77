/**
 * Why an uploaded material was refused. `code` is stable (the gateway maps it to a problem type,
 * the workflow-service records it); `message` says what was wrong in words an applicant can act on.
 */
export type MaterialRejectionCode =
  | 'material_empty'
  | 'material_too_large'
  /** Neither PDF, JPEG nor PNG by its content (a text or HTML file, whatever its name). */
  | 'material_type_unsupported'
  /** Claims to be one of them but is not a whole, readable one (truncated, broken structure, does not decode). */
  | 'material_malformed'
  /** A PDF with active content (JavaScript, launch actions, embedded files...): scans and forms need none. */
  | 'material_active_content'
  /** An encrypted PDF: neither the check nor a reviewer can read it. */
  | 'material_encrypted'
  /** The declared Content-Type contradicts the content. */
  | 'material_type_mismatch';

export class MaterialRejectedError extends Error {
  override readonly name = 'MaterialRejectedError';

  constructor(
    readonly code: MaterialRejectionCode,
    message: string,
  ) {
    super(message);
  }
}
