import { PdfError } from './pdf-error';
import { openUnencrypted } from './pdf-page-reader';
import { readPageTree, type PageNode } from './page-tree-reader';
import { PT_PER_MM, userToDisplayed } from './page-geometry-mapper';
import type { PagePlacement } from './page-placement';
import { loadPdfjs, pdfjsAssetDir } from './pdfjs-loader';

export interface TextPlacementOptions {
  occurrence: 'first' | 'all';
  /** The seal's size. */
  widthMm: number;
  heightMm: number;
  /** The seal's centre relative to the keyword's centre, as displayed (right and down positive). */
  offsetXMm?: number;
  offsetYMm?: number;
}

/** A keyword's glyph box on a page, as displayed, in mm from the top-left of the visible box. */
interface Match {
  page: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** pdfjs's text item: a run of text, its matrix in user space, its advance. */
interface TextItem {
  str: string;
  transform: number[];
  width: number;
}

/** How far glyphs reach below and above the baseline, in font sizes (CJK em boxes: −0.12…0.88). */
const DESCENT = 0.2;
const ASCENT = 0.8;

/**
 * Where a keyword is: for each occurrence (or the first, in page and then content order) the seal
 * box centred on the keyword's glyphs, moved by the offsets, in the same displayed-page mm
 * coordinates as a placement. Text comes from pdfjs-dist (legacy build, in Node, no canvas) with
 * its CMaps, so CJK text in predefined-CMap fonts (UniGB-UCS2-H…) is read as well as text with a
 * ToUnicode map. The match ignores white space and compatibility forms (NFKC: ⼈ is 人); an
 * occurrence may span text runs on one page. Glyph positions inside a run are interpolated
 * evenly over its advance, exact for the CJK fonts' fixed widths, close for proportional Latin.
 *
 * Throws PdfError: pdf_keyword_not_found, pdf_malformed, pdf_encrypted.
 */
export async function findTextPlacements(pdf: Uint8Array, keyword: string, opts: TextPlacementOptions): Promise<PagePlacement[]> {
  if (!(opts.widthMm > 0 && opts.heightMm > 0)) throw new RangeError('the seal needs a positive width and height');
  const wanted = normalizedChars(keyword).map((c) => c.ch);
  if (wanted.length === 0) throw new RangeError('the keyword is empty');
  const pages = readPageTree(openUnencrypted(pdf));
  const matches = await findKeyword(pdf, pages, wanted, opts.occurrence === 'first');
  if (matches.length === 0) throw new PdfError('pdf_keyword_not_found', `the text ${JSON.stringify(keyword)} is not in the document`);
  const dx = opts.offsetXMm ?? 0;
  const dy = opts.offsetYMm ?? 0;
  return matches.map((m) => ({
    page: m.page,
    xMm: (m.x0 + m.x1) / 2 + dx - opts.widthMm / 2,
    yMm: (m.y0 + m.y1) / 2 + dy - opts.heightMm / 2,
    widthMm: opts.widthMm,
    heightMm: opts.heightMm,
  }));
}

/** One character of the page's text after normalisation, and the glyph it came from. */
interface Char {
  ch: string;
  item: number;
  /** Index of the source code point in the item, and the item's code point count. */
  at: number;
  of: number;
}

function normalizedChars(text: string, item = -1): Char[] {
  const points = Array.from(text);
  const out: Char[] = [];
  points.forEach((p, at) => {
    for (const ch of Array.from(p.normalize('NFKC'))) if (!/\s/u.test(ch)) out.push({ ch, item, at, of: points.length });
  });
  return out;
}

async function findKeyword(pdf: Uint8Array, pages: PageNode[], wanted: string[], firstOnly: boolean): Promise<Match[]> {
  const pdfjs = await loadPdfjs();
  const task = pdfjs.getDocument({
    // pdfjs may take the buffer over: it gets its own copy.
    data: new Uint8Array(pdf),
    cMapUrl: pdfjsAssetDir('cmaps'),
    cMapPacked: true,
    standardFontDataUrl: pdfjsAssetDir('standard_fonts'),
    useSystemFonts: false,
    disableFontFace: true,
    useWorkerFetch: false,
    verbosity: 0,
  });
  try {
    let doc;
    try {
      doc = await task.promise;
    } catch (err) {
      throw new PdfError('pdf_malformed', `the PDF's text cannot be read (${(err as Error).message})`);
    }
    const out: Match[] = [];
    for (let n = 1; n <= Math.min(doc.numPages, pages.length); n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const items: TextItem[] = content.items.flatMap((i) => ('str' in i && Array.isArray(i.transform) ? [{ str: i.str, transform: i.transform as number[], width: i.width }] : []));
      const chars = items.flatMap((it, i) => normalizedChars(it.str, i));
      for (let s = 0; s + wanted.length <= chars.length; s++) {
        if (!wanted.every((w, k) => chars[s + k].ch === w)) continue;
        out.push(glyphBox(pages[n - 1], items, chars.slice(s, s + wanted.length)));
        if (firstOnly) return out;
        s += wanted.length - 1;
      }
      page.cleanup();
    }
    return out;
  } finally {
    await task.destroy();
  }
}

/** The union, as displayed, of the matched glyphs' boxes: along each run's advance, from descent to ascent. */
function glyphBox(page: PageNode, items: TextItem[], chars: Char[]): Match {
  const box = { page: page.index, x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const c of chars) {
    const { transform: [a, b, cc, d, e, f], width } = items[c.item];
    const along = Math.hypot(a, b) || 1;
    const size = Math.hypot(cc, d) || along;
    const [ux, uy] = [a / along, b / along];
    const [vx, vy] = [cc / size, d / size];
    for (const t of [c.at / c.of, (c.at + 1) / c.of]) {
      for (const h of [-DESCENT, ASCENT]) {
        const x = e + ux * width * t + vx * size * h;
        const y = f + uy * width * t + vy * size * h;
        const [u, v] = userToDisplayed(page, x, y);
        box.x0 = Math.min(box.x0, u / PT_PER_MM);
        box.x1 = Math.max(box.x1, u / PT_PER_MM);
        box.y0 = Math.min(box.y0, v / PT_PER_MM);
        box.y1 = Math.max(box.y1, v / PT_PER_MM);
      }
    }
  }
  return box;
}
