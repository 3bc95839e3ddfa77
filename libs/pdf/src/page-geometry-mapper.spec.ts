import { describe, expect, it } from 'vitest';
import { displayedBoxToUserSpace, displayedSizeMm, PT_PER_MM, userToDisplayed, type PageFrame } from './page-geometry-mapper';
import { loadPdfjs } from './pdfjs-loader';
import { buildTestPdf, GREY_CONTENT } from './test-pdfs.spec-helper';

const frames: PageFrame[] = [0, 90, 180, 270].flatMap((rotate) => [
  { cropBox: [0, 0, 595, 842], rotate },
  { cropBox: [30, -40, 500, 700], rotate },
] as PageFrame[]);

describe('page geometry', () => {
  it('maps a displayed box to user space and back', () => {
    for (const page of frames) {
      const box = { xMm: 12, yMm: 34, widthMm: 40, heightMm: 25 };
      const { rect, width, height } = displayedBoxToUserSpace(page, box);
      expect([width, height].map((v) => v / PT_PER_MM)).toEqual([expect.closeTo(40, 6), expect.closeTo(25, 6)]);
      const corners = [userToDisplayed(page, rect[0], rect[1]), userToDisplayed(page, rect[2], rect[3])].map(([u, v]) => [u / PT_PER_MM, v / PT_PER_MM]);
      expect(Math.min(corners[0][0], corners[1][0])).toBeCloseTo(12, 6);
      expect(Math.min(corners[0][1], corners[1][1])).toBeCloseTo(34, 6);
      expect(Math.abs(corners[0][0] - corners[1][0])).toBeCloseTo(40, 6);
      expect(Math.abs(corners[0][1] - corners[1][1])).toBeCloseTo(25, 6);
    }
  });

  it('agrees with pdfjs’s viewport on where a user-space point is displayed', async () => {
    const pdfjs = await loadPdfjs();
    const pdf = buildTestPdf({ pages: frames.map((f) => ({ mediaBox: [-100, -100, 800, 900], cropBox: f.cropBox, rotate: f.rotate, content: GREY_CONTENT })) });
    const task = pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0 });
    const doc = await task.promise;
    try {
      for (const [i, frame] of frames.entries()) {
        const viewport = (await doc.getPage(i + 1)).getViewport({ scale: 1 });
        const size = displayedSizeMm(frame);
        expect(viewport.width / PT_PER_MM).toBeCloseTo(size.widthMm, 6);
        expect(viewport.height / PT_PER_MM).toBeCloseTo(size.heightMm, 6);
        for (const [x, y] of [[100, 200], [450, 33], [31, 699]]) {
          const [u, v] = userToDisplayed(frame, x, y);
          const [pu, pv] = viewport.convertToViewportPoint(x, y);
          expect(u).toBeCloseTo(pu, 6);
          expect(v).toBeCloseTo(pv, 6);
        }
      }
    } finally {
      await task.destroy();
    }
  });
});
