import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PdfError, readPdfPages } from '@ecert/pdf';
import { ProblemError } from '@ecert/common';
import { samplePdf } from '../../../../test/support/materials';
import { PDF_FIXTURES } from '../../../../test/support/pdf-fixtures';
import { resolvePlacements, toResolvedView } from './placement-resolver';
import { placementsOf } from './document-input';
import { pdfProblem } from './pdf-problem';

const SEAL = { widthMm: 40, heightMm: 40 };

async function resolve(pdf: Uint8Array, specs: unknown) {
  return resolvePlacements(pdf, readPdfPages(pdf), placementsOf(specs), SEAL);
}

describe('resolvePlacements', () => {
  const pdf = samplePdf('placements');

  it('puts the seal centred on the coordinates, at its printed size', async () => {
    const [box] = await resolve(pdf, [{ type: 'coordinates', page: 1, xMm: 150, yMm: 200 }]);
    expect(toResolvedView(box!)).toEqual({ page: 1, xMm: 130, yMm: 180, widthMm: 40, heightMm: 40 });
  });

  it('refuses a seal that does not fit on the page, naming the placement', async () => {
    const e = await resolve(pdf, [{ type: 'coordinates', page: 1, xMm: 5, yMm: 5 }]).catch((x) => x);
    expect(e).toBeInstanceOf(ProblemError);
    expect(e).toMatchObject({ status: 422, code: 'placement_outside_page', field: 'placements[0]', extensions: { page: 1 } });
  });

  it('refuses a page that does not exist and a keyword that is not there, as 422s naming placements and the page', async () => {
    const off = await resolve(pdf, [{ type: 'coordinates', page: 2, xMm: 100, yMm: 100 }]).catch((x) => x);
    expect(off).toBeInstanceOf(PdfError);
    expect(pdfProblem(off)).toMatchObject({ status: 422, code: 'pdf_page_out_of_range', field: 'placements', extensions: { page: 2 } });
    const missing = await resolve(pdf, [{ type: 'keyword', keyword: 'absent words' }]).catch((x) => x);
    expect(pdfProblem(missing)).toMatchObject({ status: 422, code: 'pdf_keyword_not_found', field: 'placements' });
  });

  it('finds a CJK keyword, and only on the pages named', async () => {
    const cjk = readFileSync(PDF_FIXTURES.cjk.path);
    const first = await resolve(cjk, [{ type: 'keyword', keyword: PDF_FIXTURES.cjk.keyword }]);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ page: 1, widthMm: 40, heightMm: 40 });
    const moved = await resolve(cjk, [{ type: 'keyword', keyword: PDF_FIXTURES.cjk.keyword, offsetYMm: 10 }]);
    expect(moved[0]!.yMm - first[0]!.yMm).toBeCloseTo(10, 5);
    const all = await resolve(cjk, [{ type: 'keyword', keyword: PDF_FIXTURES.cjk.keyword, occurrence: 'all', pages: [1] }]);
    expect(all.length).toBeGreaterThan(1);
    expect(new Set(all.map((b) => b.page))).toEqual(new Set([1]));
    // The keyword is on page 1 only.
    const e = await resolve(cjk, [{ type: 'keyword', keyword: PDF_FIXTURES.cjk.keyword, pages: [3] }]).catch((x) => x);
    expect(pdfProblem(e)).toMatchObject({ code: 'pdf_keyword_not_found', field: 'placements', extensions: { page: 3 } });
  });

  it('cuts a cross-page seal into a slice per page at the right edge, centred at mid-page by default', async () => {
    const cjk = readFileSync(PDF_FIXTURES.cjk.path);
    const slices = await resolve(cjk, [{ type: 'cross-page' }]);
    expect(slices.map((s) => [s.page, s.slice])).toEqual([
      [1, { index: 0, of: 3 }],
      [2, { index: 1, of: 3 }],
      [3, { index: 2, of: 3 }],
    ]);
    for (const s of slices) expect(s.widthMm).toBeCloseTo(40 / 3, 5);
    const two = await resolve(cjk, [{ type: 'cross-page', pages: [1, 3], yMm: 60 }]);
    expect(two.map((s) => [s.page, s.yMm])).toEqual([
      [1, 40],
      [3, 40],
    ]);
  });

  it('checks the shape of placements, naming the field', () => {
    expect(() => placementsOf([])).toThrow(/1-20 placements/);
    expect(() => placementsOf([{ type: 'coordinates', page: 0, xMm: 1, yMm: 1 }])).toThrow(expect.objectContaining({ field: 'placements[0].page' }));
    expect(() => placementsOf([{ type: 'keyword', keyword: 'x', page: 1 }])).toThrow(expect.objectContaining({ field: 'placements[0].page' }));
    expect(() => placementsOf([{ type: 'cross-page', pages: [1] }])).toThrow(expect.objectContaining({ field: 'placements[0].pages' }));
    expect(() => placementsOf([{ type: 'stamp' }])).toThrow(expect.objectContaining({ field: 'placements[0].type' }));
  });
});
