import { ProblemError } from '@ecert/common';
import { DocumentProblemCode } from '@ecert/contracts';
import { DocumentTooLargeError, MaterialRejectedError } from '@ecert/documents';

/**
 * The content check's (or the store's) refusal of an uploaded PDF as a problem naming `file`: 413
 * for size, 415 for anything but a PDF (or a declared type that says otherwise), 422 for a PDF
 * that is not acceptable (encrypted: pdf_encrypted; broken, empty; active content for sealing).
 * Anything else is rethrown as it is.
 */
export function documentRejectionProblem(err: unknown): unknown {
  if (err instanceof MaterialRejectedError) {
    switch (err.code) {
      case 'material_too_large':
        return new ProblemError(413, 'document_too_large', '文件过大 (document too large)', err.message, 'file');
      case 'material_type_unsupported':
      case 'material_type_mismatch':
        return new ProblemError(415, DocumentProblemCode.documentTypeUnsupported, '仅支持 PDF 文件 (PDF only)', err.message, 'file');
      case 'material_encrypted':
        return new ProblemError(422, DocumentProblemCode.pdfEncrypted, 'PDF 已加密 (PDF encrypted)', `${err.message}: save it again without a password or restrictions`, 'file');
      case 'material_active_content':
        return new ProblemError(422, 'document_active_content', '文件含有活动内容 (active content)', err.message, 'file');
      default:
        return new ProblemError(422, DocumentProblemCode.pdfMalformed, 'PDF 文件无法读取 (PDF malformed)', err.message, 'file');
    }
  }
  if (err instanceof DocumentTooLargeError) return new ProblemError(413, 'document_too_large', '文件过大 (document too large)', err.message, 'file');
  return err;
}
