import { PdfError } from './pdf-error';
import type { PreparedSignature } from './signature-preparer';

/**
 * Writes the DER CMS into the prepared file's /Contents placeholder (hex, zero-padded) and returns
 * the file. It writes in place — `prepared.pdf` is the result, no copy of a large file is made;
 * embedding again overwrites the whole placeholder, so a retry with another CMS is safe. The
 * signed bytes (outside the placeholder) are not touched. Refuses a CMS that does not fit
 * (pdf_unsupported: prepare again with a larger contentsBytes) or a placeholder that is not one.
 */
export function embedSignature(prepared: PreparedSignature, cmsDer: Uint8Array): Uint8Array {
  const { pdf, contentsOffset, contentsLength } = prepared;
  const capacity = (contentsLength - 2) / 2;
  if (pdf[contentsOffset] !== 0x3c || pdf[contentsOffset + contentsLength - 1] !== 0x3e || !Number.isInteger(capacity)) {
    throw new PdfError('pdf_malformed', `there is no /Contents placeholder at byte ${contentsOffset}`);
  }
  if (cmsDer.length === 0) throw new PdfError('pdf_unsupported', 'the signature container is empty');
  if (cmsDer.length > capacity) {
    throw new PdfError('pdf_unsupported', `the signature container (${cmsDer.length} bytes) does not fit the ${capacity} bytes reserved: prepare with a larger contentsBytes`);
  }
  const hex = Buffer.from(cmsDer.buffer, cmsDer.byteOffset, cmsDer.byteLength).toString('hex').padEnd(capacity * 2, '0');
  Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).write(hex, contentsOffset + 1, 'latin1');
  return pdf;
}
