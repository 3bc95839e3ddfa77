import { pageHasContent } from './content-stream-scanner';
import { PdfError } from './pdf-error';
import { readPdfFile, type PdfFile } from './pdf-file-reader';
import { readPageTree, type PageNode } from './page-tree-reader';

/**
 * A page as a placement needs it: 1-based index, MediaBox and CropBox (user space, inherited
 * through the page tree, the CropBox clipped to the MediaBox), Rotate (0/90/180/270), and whether
 * the page shows anything (a content stream with painting operators: text, paths, images or
 * XObjects, shadings).
 */
export interface PdfPageInfo {
  index: number;
  mediaBox: [number, number, number, number];
  cropBox: [number, number, number, number];
  rotate: 0 | 90 | 180 | 270;
  hasContent: boolean;
}

/** Refuses an encrypted file (its streams are unreadable without the key) with pdf_encrypted. */
export function openUnencrypted(pdf: Uint8Array): PdfFile {
  const file = readPdfFile(pdf);
  if (file.encrypted) throw new PdfError('pdf_encrypted', 'the PDF is encrypted (it has a password or restrictions): save it again without them');
  return file;
}

export function pageInfo(file: PdfFile, p: PageNode): PdfPageInfo {
  return { index: p.index, mediaBox: [...p.mediaBox], cropBox: [...p.cropBox], rotate: p.rotate, hasContent: pageHasContent(file, p.dict) };
}

/** The pages in order. Throws PdfError: pdf_malformed, pdf_encrypted. */
export function readPdfPages(pdf: Uint8Array): PdfPageInfo[] {
  const file = openUnencrypted(pdf);
  return readPageTree(file).map((p) => pageInfo(file, p));
}
