import { PdfError } from './pdf-error';
import type { PdfFile } from './pdf-file-reader';
import { PdfLexer } from './pdf-lexer';
import { PdfStream, type PdfDict } from './pdf-object';

/**
 * Operators that put something on the page (ISO 32000-2 §8.5.3, §9.4.3, §8.8, §8.7.4.2, §8.9.7):
 * path painting except `n`, text showing, XObjects, shadings and inline images.
 */
const PAINTING = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'Tj', 'TJ', "'", '"', 'Do', 'sh', 'BI']);

/**
 * Whether a page shows anything: one of its content streams holds a painting operator (text, a
 * path, an image or form XObject, a shading, an inline image). Stops at the first one. A stream
 * that cannot be decoded or read counts as content: nothing proves the page blank.
 */
export function pageHasContent(file: PdfFile, page: PdfDict): boolean {
  const contents = file.resolve(page.get('Contents'));
  const streams = (Array.isArray(contents) ? contents.map((c) => file.resolve(c)) : [contents]).filter((s): s is PdfStream => s instanceof PdfStream);
  for (const s of streams) {
    let data: Uint8Array;
    try {
      data = file.decode(s);
    } catch (err) {
      if (err instanceof PdfError) {
        if (s.data.length > 0) return true;
        continue;
      }
      throw err;
    }
    if (streamPaints(data)) return true;
  }
  return false;
}

function streamPaints(data: Uint8Array): boolean {
  const lx = new PdfLexer(data, 0, data.length, undefined);
  try {
    for (let t = lx.next(); t.kind !== 'eof'; t = lx.next()) {
      if (t.kind === 'kw' && PAINTING.has(t.value)) return true;
    }
  } catch {
    return true; // not readable as content: it holds something
  }
  return false;
}
