import { describe, expect, it } from 'vitest';
import { crossPagePlacements } from './cross-page-placement-planner';
import { PT_PER_MM } from './page-geometry-mapper';
import type { PagePlacement } from './page-placement';
import { readPdfPages } from './pdf-page-reader';
import { HAVE_POPPLER, renderPage } from './pdf-tools.spec-helper';
import { embedSignature } from './signature-embedder';
import { prepareSignature } from './signature-preparer';
import { A4, buildTestPdf, dummyCms, GREY_CONTENT, orientedPng, sealPng, type TestPage } from './test-pdfs.spec-helper';

/** Rendered at 72 dpi: one pixel per point. */
const DPI = 72;
const isRed = (r: number, g: number, b: number) => r > 150 && g < 90 && b < 90;
const isBlue = (r: number, g: number, b: number) => b > 150 && r < 90 && g < 90;

interface Counts {
  inside: number;
  outside: number;
  area: number;
}

/** Pixels of a colour inside the placement's box (as displayed) and outside it (a 2 px margin for antialiasing). */
function count(img: { width: number; height: number; rgb: Buffer }, box: { x0: number; y0: number; x1: number; y1: number }, pick: (r: number, g: number, b: number) => boolean): Counts {
  const c = { inside: 0, outside: 0, area: (box.x1 - box.x0) * (box.y1 - box.y0) };
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 3;
      if (!pick(img.rgb[i], img.rgb[i + 1], img.rgb[i + 2])) continue;
      if (x >= box.x0 - 2 && x <= box.x1 + 2 && y >= box.y0 - 2 && y <= box.y1 + 2) c.inside++;
      else c.outside++;
    }
  }
  return c;
}

const pxBox = (p: PagePlacement) => {
  const s = (PT_PER_MM * DPI) / 72;
  return { x0: p.xMm * s, y0: p.yMm * s, x1: (p.xMm + p.widthMm) * s, y1: (p.yMm + p.heightMm) * s };
};

function sealed(pages: TestPage[], placements: PagePlacement[], png = sealPng()) {
  const prepared = prepareSignature(buildTestPdf({ pages }), { placements, image: { png }, subFilter: 'ETSI.CAdES.detached' });
  return embedSignature(prepared, dummyCms());
}

describe.skipIf(!HAVE_POPPLER())('the placed seal as a renderer shows it (pdftoppm)', () => {
  const geometries: [string, TestPage][] = [
    ['an upright A4 page', { mediaBox: A4, content: GREY_CONTENT }],
    ['a page with /Rotate 90', { mediaBox: A4, rotate: 90, content: GREY_CONTENT }],
    ['a page with /Rotate 180', { mediaBox: A4, rotate: 180, content: GREY_CONTENT }],
    ['a page with /Rotate 270 and a CropBox not at 0,0', { mediaBox: [0, 0, 700, 900], cropBox: [60, 45, 640, 860], rotate: 270, content: GREY_CONTENT }],
    ['a page whose MediaBox and CropBox start at negative coordinates', { mediaBox: [-300, -400, 300, 400], cropBox: [-250, -350, 250, 350], content: GREY_CONTENT }],
  ];

  for (const [name, page] of geometries) {
    it(`shows red where the placement says, and nowhere else, on ${name}`, () => {
      const placement = { page: 1, xMm: 30, yMm: 50, widthMm: 42, heightMm: 42 };
      const img = renderPage(sealed([page], [placement]), 1, DPI);
      const red = count(img, pxBox(placement), isRed);
      // A disc fills π/4 of its square.
      expect(red.inside).toBeGreaterThan(red.area * 0.7);
      expect(red.outside).toBe(0);
    });
  }

  it('shows the seal upright on rotated pages (its marked top-left quarter stays top-left)', () => {
    for (const rotate of [0, 90, 180, 270]) {
      const placement = { page: 1, xMm: 40, yMm: 60, widthMm: 40, heightMm: 30 };
      const img = renderPage(sealed([{ mediaBox: A4, cropBox: [20, 30, 580, 820], rotate, content: GREY_CONTENT }], [placement], orientedPng()), 1, DPI);
      const b = pxBox(placement);
      const mx = (b.x0 + b.x1) / 2;
      const my = (b.y0 + b.y1) / 2;
      const blueTopLeft = count(img, { x0: b.x0 + 2, y0: b.y0 + 2, x1: mx - 2, y1: my - 2 }, isBlue);
      const blue = count(img, b, isBlue);
      expect(blueTopLeft.inside, `Rotate ${rotate}`).toBeGreaterThan(blueTopLeft.area * 0.9);
      expect(blue.inside, `Rotate ${rotate}`).toBeLessThan(blueTopLeft.inside + 4 * (b.x1 - b.x0 + b.y1 - b.y0));
      expect(count(img, b, isRed).inside, `Rotate ${rotate}`).toBeGreaterThan(blue.area * 0.6);
    }
  });

  it('cuts a cross-page seal into slices at the right edges: the first page shows its left half, the second its right half', () => {
    const pages: TestPage[] = [{ mediaBox: A4, content: GREY_CONTENT }, { mediaBox: A4, rotate: 90, content: GREY_CONTENT }];
    const pdf = buildTestPdf({ pages });
    const placements = crossPagePlacements(readPdfPages(pdf), { yMm: 80, widthMm: 40, heightMm: 40 });
    const signed = embedSignature(prepareSignature(pdf, { placements, image: { png: sealPng(120, [220, 20, 30], [20, 30, 220]) }, subFilter: 'ETSI.CAdES.detached' }), dummyCms());
    const [left, right] = placements.map((p) => ({ p, img: renderPage(signed, p.page, DPI) }));
    expect(Math.abs(left.img.width - 595.28)).toBeLessThan(1);
    expect(Math.abs(right.img.width - 841.89)).toBeLessThan(1); // rotated: landscape as displayed
    for (const [{ p, img }, shown, hidden] of [[left, isRed, isBlue], [right, isBlue, isRed]] as const) {
      const b = pxBox(p);
      expect(Math.abs(b.x1 - img.width)).toBeLessThan(1);
      expect(count(img, b, shown).inside).toBeGreaterThan(count(img, b, shown).area * 0.6);
      expect(count(img, b, shown).outside).toBe(0);
      expect(count(img, { x0: 0, y0: 0, x1: img.width, y1: img.height }, hidden).inside).toBe(0);
    }
  });
});
