import { ProblemError } from '@ecert/common';
import { MAX_RESOLVED_PLACEMENTS, type PlacementSpec, type ResolvedPlacementView } from '@ecert/contracts';
import { crossPagePlacements, findTextPlacements, PdfError, type PdfPageInfo, type SlicedPlacement } from '@ecert/pdf';

export interface SealSizeMm {
  widthMm: number;
  heightMm: number;
}

/** How far a seal may stick out of the displayed page (a keyword near the edge, an offset): a few mm, not off the page. */
const EDGE_TOLERANCE_MM = 1;

/**
 * Turns the placements of a request into boxes on pages, at the seal's printed size: coordinates
 * (the seal's centre), keywords (libs/pdf findTextPlacements: centred on each or the first
 * occurrence, offset as asked), cross-page slices (libs/pdf crossPagePlacements). Every box must
 * lie on its page, and on a page that shows something (第十四条: pdf_blank_page naming the page,
 * checked here so that a request is refused before an approver sees it, and again by
 * prepareSignature). Throws PdfError (mapped by pdfProblem) or a 422 naming the placement.
 */
export async function resolvePlacements(pdf: Uint8Array, pages: PdfPageInfo[], specs: PlacementSpec[], size: SealSizeMm): Promise<SlicedPlacement[]> {
  const out: SlicedPlacement[] = [];
  for (const [i, spec] of specs.entries()) {
    const field = `placements[${i}]`;
    let boxes: SlicedPlacement[];
    if (spec.type === 'coordinates') {
      pageOf(pages, spec.page);
      boxes = [{ page: spec.page, xMm: spec.xMm - size.widthMm / 2, yMm: spec.yMm - size.heightMm / 2, widthMm: size.widthMm, heightMm: size.heightMm }];
    } else if (spec.type === 'keyword') {
      for (const p of spec.pages ?? []) pageOf(pages, p);
      const only = spec.pages ? new Set(spec.pages) : undefined;
      // Limited to pages: every occurrence found, those on the pages kept (the first of them for `first`).
      const found = await findTextPlacements(pdf, spec.keyword, {
        occurrence: only ? 'all' : (spec.occurrence ?? 'first'),
        widthMm: size.widthMm,
        heightMm: size.heightMm,
        offsetXMm: spec.offsetXMm ?? 0,
        offsetYMm: spec.offsetYMm ?? 0,
      });
      boxes = only ? found.filter((b) => only.has(b.page)) : found;
      if (only && (spec.occurrence ?? 'first') === 'first') boxes = boxes.slice(0, 1);
      if (!boxes.length) throw new PdfError('pdf_keyword_not_found', `the text ${JSON.stringify(spec.keyword)} is not on page${spec.pages!.length > 1 ? 's' : ''} ${spec.pages!.join(', ')}`, spec.pages![0]);
    } else {
      const first = pageOf(pages, spec.pages?.length ? Math.min(...spec.pages) : 1);
      const centre = spec.yMm ?? displayedHeightMm(first) / 2;
      boxes = crossPagePlacements(pages, { ...(spec.pages ? { pages: spec.pages } : {}), yMm: centre - size.heightMm / 2, widthMm: size.widthMm, heightMm: size.heightMm });
    }
    for (const box of boxes) checkOnPage(pageOf(pages, box.page), box, field);
    out.push(...boxes);
    if (out.length > MAX_RESOLVED_PLACEMENTS) {
      throw new ProblemError(422, 'placements_too_many', '盖章位置过多 (too many placements)', `the placements resolve to more than ${MAX_RESOLVED_PLACEMENTS} seals`, field);
    }
  }
  return out;
}

export function toResolvedView(p: SlicedPlacement): ResolvedPlacementView {
  const r = (n: number) => Math.round(n * 100) / 100;
  return { page: p.page, xMm: r(p.xMm), yMm: r(p.yMm), widthMm: r(p.widthMm), heightMm: r(p.heightMm), ...(p.slice ? { slice: { index: p.slice.index, of: p.slice.of } } : {}) };
}

function pageOf(pages: PdfPageInfo[], n: number): PdfPageInfo {
  const page = pages[n - 1];
  if (!Number.isInteger(n) || !page) throw new PdfError('pdf_page_out_of_range', `page ${n} is not in the document (it has ${pages.length})`, n);
  return page;
}

/** The displayed page's height in mm (rotation applied, CropBox as shown). */
export function displayedHeightMm(page: PdfPageInfo): number {
  const [x0, y0, x1, y1] = page.cropBox;
  const pt = page.rotate === 90 || page.rotate === 270 ? x1 - x0 : y1 - y0;
  return (pt * 25.4) / 72;
}

function displayedWidthMm(page: PdfPageInfo): number {
  const [x0, y0, x1, y1] = page.cropBox;
  const pt = page.rotate === 90 || page.rotate === 270 ? y1 - y0 : x1 - x0;
  return (pt * 25.4) / 72;
}

function checkOnPage(page: PdfPageInfo, box: SlicedPlacement, field: string): void {
  const w = displayedWidthMm(page);
  const h = displayedHeightMm(page);
  const t = EDGE_TOLERANCE_MM;
  if (box.xMm < -t || box.yMm < -t || box.xMm + box.widthMm > w + t || box.yMm + box.heightMm > h + t) {
    throw new ProblemError(
      422,
      'placement_outside_page',
      '盖章位置超出页面 (seal outside the page)',
      `the seal (${box.widthMm.toFixed(1)} × ${box.heightMm.toFixed(1)} mm at ${box.xMm.toFixed(1)}, ${box.yMm.toFixed(1)} mm) does not fit on page ${box.page} (${w.toFixed(1)} × ${h.toFixed(1)} mm)`,
      field,
      { page: box.page },
    );
  }
  if (!page.hasContent) throw new PdfError('pdf_blank_page', `page ${box.page} has no text and no image: a seal is never put on a blank page`, box.page);
}
