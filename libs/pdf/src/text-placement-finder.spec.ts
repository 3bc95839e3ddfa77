import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import opentype from 'opentype.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { PdfError } from './pdf-error';
import { PT_PER_MM } from './page-geometry-mapper';
import { findTextPlacements } from './text-placement-finder';
import { A4, buildTestPdf, cjkIdentityFont, cjkPredefinedCmapFont, cjkText, GREY_CONTENT, helvetica, latinText } from './test-pdfs.spec-helper';

const A4_HEIGHT = A4[3];
const mm = (pt: number) => pt / PT_PER_MM;
const seal = { widthMm: 40, heightMm: 40 };

/** The expected placement: a seal centred on the glyph box [x0, x1] × [baseline − 0.2 size, baseline + 0.8 size] (user space of an upright A4 page). */
const centredOn = (x0: number, x1: number, baseline: number, size: number, page = 1) => ({
  page,
  xMm: mm((x0 + x1) / 2) - 20,
  yMm: mm(A4_HEIGHT - (baseline + 0.3 * size)) - 20,
  ...seal,
});

const close = (actual: { xMm: number; yMm: number }[], expected: { xMm: number; yMm: number }[], digits = 1) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    expect(a).toMatchObject({ ...expected[i], xMm: expect.any(Number), yMm: expect.any(Number) });
    expect(a.xMm).toBeCloseTo(expected[i].xMm, digits);
    expect(a.yMm).toBeCloseTo(expected[i].yMm, digits);
  });
};

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: PdfError) => e.code);

/** Glyph ids of Noto Serif SC Bold (the platform's seal font): what a producer embedding a subset would write. */
let gids: (text: string) => number[];
beforeAll(() => {
  const path = join(dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-serif-sc/package.json')), '700Bold/NotoSerifSC_700Bold.ttf');
  const buf = readFileSync(path);
  const font = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  gids = (text) => Array.from(text).map((ch) => font.charToGlyph(ch).index);
}, 60_000);

const ucs2 = (text: string) => Array.from(text).map((c) => c.codePointAt(0)!);

describe('findTextPlacements', () => {
  it('centres the seal on a Latin keyword, inside a longer run', async () => {
    const pdf = buildTestPdf({ pages: [{ mediaBox: A4, content: `${GREY_CONTENT} ${latinText('Seal:', 100, 500, 20)}`, fonts: { F1: helvetica() } }] });
    // "Seal:" is one run 5 glyphs wide; "Seal" its first 4/5 (glyph widths interpolated evenly).
    const [p] = await findTextPlacements(pdf, 'Seal', { occurrence: 'first', ...seal });
    const width = (556 + 556 + 556 + 222 + 278) / 1000 * 20; // Helvetica S e a l :
    close([p], [centredOn(100, 100 + (width * 4) / 5, 500, 20)], 0);
  });

  it('finds CJK text in a Type0 font with Identity-H and a ToUnicode CMap (glyph ids of Noto Serif SC)', async () => {
    const text = '单位（盖章处）';
    const glyphs = new Map(Array.from(text).map((c, i) => [c, gids(text)[i]]));
    const pdf = buildTestPdf({ pages: [{ mediaBox: A4, content: `${GREY_CONTENT} ${cjkText(gids(text), 100, 700, 20)}`, fonts: { F1: cjkIdentityFont(glyphs) } }] });
    // Fixed 1000-unit widths: 盖章 is the 4th and 5th glyph, x 160…200.
    close(await findTextPlacements(pdf, '盖章', { occurrence: 'all', ...seal }), [centredOn(160, 200, 700, 20)]);
  });

  it('finds CJK text in a predefined-CMap font (UniGB-UCS2-H, no ToUnicode) through pdfjs’s CMaps', async () => {
    const pdf = buildTestPdf({
      pages: [
        { mediaBox: A4, content: `${GREY_CONTENT} ${cjkText(ucs2('申报单位盖章'), 72, 600, 24)}`, fonts: { F1: cjkPredefinedCmapFont() } },
        { mediaBox: A4, content: `${cjkText(ucs2('盖'), 300, 200, 10)} ${cjkText(ucs2('章'), 310, 200, 10)} ${cjkText(ucs2('盖章'), 400, 100, 10)}`, fonts: { F1: cjkPredefinedCmapFont() } },
      ],
    });
    const all = await findTextPlacements(pdf, '盖 章', { occurrence: 'all', ...seal });
    // Page 2's first occurrence spans two runs.
    close(all, [centredOn(72 + 4 * 24, 72 + 6 * 24, 600, 24), centredOn(300, 320, 200, 10, 2), centredOn(400, 420, 100, 10, 2)]);
    close(await findTextPlacements(pdf, '盖章', { occurrence: 'first', ...seal, offsetXMm: 10, offsetYMm: -5 }), [{ ...all[0], xMm: all[0].xMm + 10, yMm: all[0].yMm - 5 }]);
  });

  it('measures as displayed on a rotated page with a CropBox offset', async () => {
    const pdf = buildTestPdf({ pages: [{ mediaBox: A4, cropBox: [50, 40, 545, 800], rotate: 90, content: cjkText(ucs2('盖章'), 200, 300, 20), fonts: { F1: cjkPredefinedCmapFont() } }] });
    const [p] = await findTextPlacements(pdf, '盖章', { occurrence: 'first', ...seal });
    // Rotate 90: displayed x runs up the user-space y axis from the CropBox bottom, displayed y along x from its left.
    const cx = 200 + 20; // centre of the glyphs in user space
    const cy = 300 + 0.3 * 20;
    expect(p.xMm).toBeCloseTo(mm(cy - 40) - 20, 1);
    expect(p.yMm).toBeCloseTo(mm(cx - 50) - 20, 1);
  });

  it('says when the keyword is not there, and refuses an encrypted PDF', async () => {
    const pdf = buildTestPdf({ pages: [{ mediaBox: A4, content: latinText('Nothing to see', 100, 500), fonts: { F1: helvetica() } }] });
    expect(await code(findTextPlacements(pdf, '盖章', { occurrence: 'first', ...seal }))).toBe('pdf_keyword_not_found');
    expect(await code(findTextPlacements(buildTestPdf({ trailer: ' /Encrypt 9 0 R' }), 'x', { occurrence: 'first', ...seal }))).toBe('pdf_encrypted');
  });
});
