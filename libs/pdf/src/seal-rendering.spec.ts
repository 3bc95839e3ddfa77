import { describe, expect, it } from 'vitest';
import { crossPagePlacements } from './cross-page-placement-planner';
import { PT_PER_MM } from './page-geometry-mapper';
import type { PagePlacement } from './page-placement';
import { readPdfPages } from './pdf-page-reader';
import { inkCount as count, isBlue, isRed, renderPage, requirePeers, type PxBox } from './pdf-tools.spec-helper';
import { embedSignature } from './signature-embedder';
import { prepareSignature } from './signature-preparer';
import { A4, buildTestPdf, dummyCms, GREY_CONTENT, orientedPng, sealPng, type TestPage } from './test-pdfs.spec-helper';

/** Rendered at 72 dpi: one pixel per point. */
const DPI = 72;
const hasPdftoppm = requirePeers('libs/pdf: placed seals rendered by pdftoppm', 'pdftoppm');

const pxBox = (p: PagePlacement): PxBox => {
  const s = (PT_PER_MM * DPI) / 72;
  return [p.xMm * s, p.yMm * s, (p.xMm + p.widthMm) * s, (p.yMm + p.heightMm) * s];
};

function sealed(pages: TestPage[], placements: PagePlacement[], png = sealPng()) {
  const prepared = prepareSignature(buildTestPdf({ pages }), { placements, image: { png }, subFilter: 'ETSI.CAdES.detached' });
  return embedSignature(prepared, dummyCms());
}

describe.skipIf(!hasPdftoppm)('the placed seal as a renderer shows it (pdftoppm)', () => {
  const geometries: [string, TestPage][] = [
    ['an upright A4 page', { mediaBox: A4, content: GREY_CONTENT }],
    ['a page with /Rotate 90', { mediaBox: A4, rotate: 90, content: GREY_CONTENT }],
    ['a page with /Rotate 180', { mediaBox: A4, rotate: 180, content: GREY_CONTENT }],
    ['a page with /Rotate 270 and a CropBox not at 0,0', { mediaBox: [0, 0, 700, 900], cropBox: [60, 45, 640, 860], rotate: 270, content: GREY_CONTENT }],
    ['a page whose MediaBox and CropBox start at negative coordinates', { mediaBox: [-300, -400, 300, 400], cropBox: [-250, -350, 250, 350], content: GREY_CONTENT }],
  ];

  for (const [name, page] of geometries) {
    it(`shows red where the placement says, and nowhere else, on ${name}`, async () => {
      const placement = { page: 1, xMm: 30, yMm: 50, widthMm: 42, heightMm: 42 };
      const img = await renderPage(sealed([page], [placement]), 1, DPI);
      const red = count(img, pxBox(placement), isRed);
      // A disc fills π/4 of its square.
      expect(red.inside).toBeGreaterThan(red.area * 0.7);
      expect(red.outside).toBe(0);
    });
  }

  it('shows the seal upright on rotated pages (its marked top-left quarter stays top-left)', async () => {
    for (const rotate of [0, 90, 180, 270]) {
      const placement = { page: 1, xMm: 40, yMm: 60, widthMm: 40, heightMm: 30 };
      const img = await renderPage(sealed([{ mediaBox: A4, cropBox: [20, 30, 580, 820], rotate, content: GREY_CONTENT }], [placement], orientedPng()), 1, DPI);
      const b = pxBox(placement);
      const [mx, my] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
      const blueTopLeft = count(img, [b[0] + 2, b[1] + 2, mx - 2, my - 2], isBlue);
      const blue = count(img, b, isBlue);
      expect(blueTopLeft.inside, `Rotate ${rotate}`).toBeGreaterThan(blueTopLeft.area * 0.9);
      expect(blue.inside, `Rotate ${rotate}`).toBeLessThan(blueTopLeft.inside + 4 * (b[2] - b[0] + b[3] - b[1]));
      expect(count(img, b, isRed).inside, `Rotate ${rotate}`).toBeGreaterThan(blue.area * 0.6);
    }
  });

  it('cuts a cross-page seal into slices at the right edges: the first page shows its left half, the second its right half', async () => {
    const pages: TestPage[] = [{ mediaBox: A4, content: GREY_CONTENT }, { mediaBox: A4, rotate: 90, content: GREY_CONTENT }];
    const pdf = buildTestPdf({ pages });
    const placements = crossPagePlacements(readPdfPages(pdf), { yMm: 80, widthMm: 40, heightMm: 40 });
    const signed = embedSignature(prepareSignature(pdf, { placements, image: { png: sealPng(120, [220, 20, 30], [20, 30, 220]) }, subFilter: 'ETSI.CAdES.detached' }), dummyCms());
    const [left, right] = await Promise.all(placements.map(async (p) => ({ p, img: await renderPage(signed, p.page, DPI) })));
    expect(Math.abs(left.img.width - 595.28)).toBeLessThan(1);
    expect(Math.abs(right.img.width - 841.89)).toBeLessThan(1); // rotated: landscape as displayed
    for (const [{ p, img }, shown, hidden] of [[left, isRed, isBlue], [right, isBlue, isRed]] as const) {
      const b = pxBox(p);
      expect(Math.abs(b[2] - img.width)).toBeLessThan(1);
      expect(count(img, b, shown).inside).toBeGreaterThan(count(img, b, shown).area * 0.6);
      expect(count(img, b, shown).outside).toBe(0);
      expect(count(img, [0, 0, img.width, img.height], hidden).inside).toBe(0);
    }
  });
});
