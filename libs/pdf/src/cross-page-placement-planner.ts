import { PdfError } from './pdf-error';
import type { PdfPageInfo } from './pdf-page-reader';
import { displayedSizeMm } from './page-geometry-mapper';
import type { SlicedPlacement } from './page-placement';

export interface CrossPageOptions {
  /** 1-based pages to seal across (default: all); taken in ascending order, each once. */
  pages?: number[];
  /** From the top of each displayed page to the top of the seal. */
  yMm: number;
  /** The whole seal's size: each page shows a slice widthMm / N wide. */
  widthMm: number;
  heightMm: number;
}

/**
 * 骑缝章: the seal cut into N vertical slices, one per selected page, each flush with the right
 * edge of its displayed page at `yMm`; slice i (from the left) goes on the i-th selected page, so
 * fanned pages show the whole seal. Throws PdfError pdf_page_out_of_range (naming the page), or
 * pdf_unsupported for fewer than two pages.
 */
export function crossPagePlacements(pages: PdfPageInfo[], opts: CrossPageOptions): SlicedPlacement[] {
  if (!(opts.widthMm > 0 && opts.heightMm > 0 && Number.isFinite(opts.yMm))) throw new RangeError('a cross-page seal needs a positive width and height and a finite yMm');
  const wanted = opts.pages ?? pages.map((p) => p.index);
  for (const n of wanted) {
    if (!Number.isInteger(n) || n < 1 || n > pages.length) throw new PdfError('pdf_page_out_of_range', `page ${n} is not in the document (it has ${pages.length})`, n);
  }
  const selected = [...new Set(wanted)].sort((a, b) => a - b);
  if (selected.length < 2) throw new PdfError('pdf_unsupported', `a cross-page seal needs at least two pages (${selected.length} selected)`);
  const sliceMm = opts.widthMm / selected.length;
  return selected.map((n, index) => {
    const page = pages[n - 1];
    return {
      page: n,
      xMm: displayedSizeMm(page).widthMm - sliceMm,
      yMm: opts.yMm,
      widthMm: sliceMm,
      heightMm: opts.heightMm,
      slice: { index, of: selected.length },
    };
  });
}
