import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../test/support/fuzz';
import { PdfError } from './pdf-error';
import { readPdfPages } from './pdf-page-reader';
import { readPdfSignatures } from './signature-reader';
import { signedChunks } from './signed-chunks-reader';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../test/fixtures/pdfs/${name}`, import.meta.url)));
// Small real files: incremental updates, rotation, CropBox, and a signed one (ByteRange, /Contents).
const seeds = ['incremental-updates.pdf', 'rotated-pages.pdf', 'cropbox-offset.pdf', 'signed-pkcs7.pdf'].map(fixture);

/** What sealing and verification do with an uploaded PDF before anything is signed. */
function readAll(pdf: Uint8Array): void {
  readPdfPages(pdf);
  for (const sig of readPdfSignatures(pdf)) signedChunks(pdf, sig.byteRange);
}

describe('PDF readers under fuzzing (PdfError only, no hang)', () => {
  it('the seeds read', () => {
    for (const s of seeds) readPdfPages(s);
    expect(readPdfSignatures(seeds[3]!)).toHaveLength(1);
  });

  it('arbitrary bytes after a PDF header', () => {
    const heads = [Buffer.from('%PDF-1.7\n'), Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nxref\n0 1\n'), Buffer.from('%PDF-2.0\nstartxref\n')];
    fc.assert(fc.property(bytesAfter(heads), (b) => expectOnlyTyped(() => readAll(b), [PdfError])), fuzzParams(2000));
  });

  it('mutations of real PDFs', () => {
    fc.assert(fc.property(mutationsOf(seeds, 3), (b) => expectOnlyTyped(() => readAll(b), [PdfError])), fuzzParams(1500));
  });

  it('ByteRange values of any kind', () => {
    const n = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, Number.NaN, Infinity, 0.5));
    fc.assert(
      fc.property(fc.tuple(n, n, n, n), (br) => expectOnlyTyped(() => signedChunks(seeds[3]!, br), [PdfError])),
      fuzzParams(1000),
    );
  });
});
