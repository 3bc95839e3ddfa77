import { PdfError } from './pdf-error';

/**
 * The bytes a ByteRange covers, as the hash is computed over them: two views into the file (no
 * copy, so a 50 MB file is not duplicated) — hash them in order with `update`.
 */
export function signedChunks(pdf: Uint8Array, byteRange: [number, number, number, number]): Uint8Array[] {
  const [a, b, c, d] = byteRange;
  if (![a, b, c, d].every((n) => Number.isSafeInteger(n) && n >= 0) || a + b > c || c + d > pdf.length) {
    throw new PdfError('pdf_malformed', `the ByteRange [${byteRange.join(' ')}] does not lie within the file (${pdf.length} bytes)`);
  }
  return [pdf.subarray(a, a + b), pdf.subarray(c, c + d)];
}
