import { ProblemError } from '@ecert/common';
import { DocumentProblemCode } from '@ecert/contracts';
import { DocumentIntegrityError, DocumentNotFoundError, DocumentTooLargeError, inspectMaterial, MaterialRejectedError } from '@ecert/documents';

/**
 * A document to seal is a PDF judged by its bytes as a material is (`inspectMaterial`: whole, not
 * encrypted, no JavaScript, launch actions, embedded files, rich media or XFA — a sealed PDF that
 * runs code could show other content than was sealed). The seal-service checks what it reads
 * itself: it believes no verdict of the gateway's.
 */
export function assertSealablePdf(bytes: Uint8Array, maxBytes: number, field = 'sha256'): void {
  let mediaType: string;
  try {
    ({ mediaType } = inspectMaterial(bytes, { maxBytes }));
  } catch (e) {
    throw documentRejection(e, field);
  }
  if (mediaType !== 'application/pdf') {
    throw new ProblemError(415, DocumentProblemCode.documentTypeUnsupported, '仅支持 PDF 文件 (PDF only)', `the document is ${mediaType}: only PDF documents are sealed`, field);
  }
}

/** The inspector's or the store's refusal as a problem naming `field`; anything else is rethrown as it is. */
export function documentRejection(e: unknown, field: string): unknown {
  if (e instanceof MaterialRejectedError) {
    if (e.code === 'material_type_unsupported' || e.code === 'material_type_mismatch') {
      return new ProblemError(415, DocumentProblemCode.documentTypeUnsupported, '仅支持 PDF 文件 (PDF only)', e.message, field);
    }
    if (e.code === 'material_too_large') return new ProblemError(413, 'document_too_large', '文件过大 (document too large)', e.message, field);
    if (e.code === 'material_encrypted') return new ProblemError(422, DocumentProblemCode.pdfEncrypted, 'PDF 已加密 (PDF encrypted)', e.message, field);
    return new ProblemError(422, e.code === 'material_active_content' ? 'document_active_content' : DocumentProblemCode.pdfMalformed, '文件不符合要求 (document refused)', e.message, field);
  }
  if (e instanceof DocumentTooLargeError) return new ProblemError(413, 'document_too_large', '文件过大 (document too large)', e.message, field);
  if (e instanceof DocumentNotFoundError) return new ProblemError(422, DocumentProblemCode.documentNotFound, '文件不存在 (document not stored)', e.message, field);
  if (e instanceof DocumentIntegrityError) return new ProblemError(409, 'document_integrity', '文件已损坏 (document damaged in the store)', e.message, field);
  return e;
}
