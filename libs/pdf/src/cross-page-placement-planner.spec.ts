import { describe, expect, it } from 'vitest';
import { crossPagePlacements } from './cross-page-placement-planner';
import { PdfError } from './pdf-error';
import type { PdfPageInfo } from './pdf-page-reader';
import { PT_PER_MM } from './page-geometry-mapper';

const page = (index: number, w: number, h: number, rotate: PdfPageInfo['rotate'] = 0): PdfPageInfo => ({
  index,
  mediaBox: [0, 0, w, h],
  cropBox: [0, 0, w, h],
  rotate,
  hasContent: true,
});

describe('crossPagePlacements', () => {
  const pages = [page(1, 210 * PT_PER_MM, 297 * PT_PER_MM), page(2, 210 * PT_PER_MM, 297 * PT_PER_MM, 90), page(3, 100 * PT_PER_MM, 150 * PT_PER_MM)];

  it('slices the seal across the right edge of every page (displayed), left slice first', () => {
    const out = crossPagePlacements(pages, { yMm: 120, widthMm: 42, heightMm: 42 });
    expect(out.map((p) => [p.page, p.slice])).toEqual([[1, { index: 0, of: 3 }], [2, { index: 1, of: 3 }], [3, { index: 2, of: 3 }]]);
    expect(out.map((p) => p.widthMm)).toEqual([14, 14, 14]);
    // Flush with each page's displayed right edge: the rotated page is 297 mm wide as displayed.
    expect(out.map((p) => p.xMm + p.widthMm)).toEqual([expect.closeTo(210, 9), expect.closeTo(297, 9), expect.closeTo(100, 9)]);
    expect(out.every((p) => p.yMm === 120 && p.heightMm === 42)).toBe(true);
  });

  it('takes the selected pages in order, each once', () => {
    const out = crossPagePlacements(pages, { pages: [3, 1, 3], yMm: 10, widthMm: 40, heightMm: 40 });
    expect(out.map((p) => [p.page, p.slice!.index, p.widthMm])).toEqual([[1, 0, 20], [3, 1, 20]]);
  });

  it('refuses pages that are not there and a seal across fewer than two pages', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as PdfError).code, (e as PdfError).page];
      }
      return undefined;
    };
    expect(err(() => crossPagePlacements(pages, { pages: [1, 4], yMm: 10, widthMm: 40, heightMm: 40 }))).toEqual(['pdf_page_out_of_range', 4]);
    expect(err(() => crossPagePlacements([pages[0]], { yMm: 10, widthMm: 40, heightMm: 40 }))).toEqual(['pdf_unsupported', undefined]);
  });
});
