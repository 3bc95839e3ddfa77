import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crossPagePlacements } from './cross-page-placement-planner';
import { PdfError } from './pdf-error';
import { readPdfFile } from './pdf-file-reader';
import { readPdfPages } from './pdf-page-reader';
import { PT_PER_MM } from './page-geometry-mapper';
import { inkCount, isRed, qpdfCheck, renderPage, requirePeers, type PxBox } from './pdf-tools.spec-helper';
import { embedSignature } from './signature-embedder';
import { prepareSignature, type PrepareSignatureOptions } from './signature-preparer';
import { readPdfSignatures } from './signature-reader';
import { findTextPlacements } from './text-placement-finder';
import { dummyCms, sealPng } from './test-pdfs.spec-helper';
import { ALL_PDF_FIXTURES, PDF_FIXTURES, type PdfFixture } from '../../../test/support/pdf-fixtures';

const DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
const FILES = [
  'pdfjs_hello_world_rotated.pdf',
  'pdfjs_issue14755.pdf',
  'pdfjs_issue20062.pdf',
  'pdfjs_issue2128r.pdf',
  'pdfjs_issue6081.pdf',
  'pdfjs_signed_verified.pdf',
  'qpdf_boxes.pdf',
  'qpdf_encrypted-positive-P.pdf',
];
const load = (name: string) => readFileSync(join(DIR, name));
const hasQpdf = requirePeers('libs/pdf: real PDFs sealed, checked by qpdf --check', 'qpdf');
const hasPoppler = requirePeers('libs/pdf: real PDFs sealed, rendered by pdftoppm, text boxes by pdftotext', 'pdftoppm', 'pdftotext');

const seal = sealPng();
const opts = (placements: PrepareSignatureOptions['placements']): PrepareSignatureOptions => ({ placements, image: { png: seal }, subFilter: 'ETSI.CAdES.detached' });
const at = (page: number) => [{ page, xMm: 30, yMm: 40, widthMm: 40, heightMm: 40 }];
const sign = (pdf: Uint8Array, placements = at(1)) => embedSignature(prepareSignature(pdf, opts(placements)), dummyCms());
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof PdfError)) throw e;
    return `${e.code}${e.page ? `@${e.page}` : ''}`;
  }
  return 'ok';
};
const expectClean = async (pdf: Uint8Array) => {
  if (!hasQpdf) return;
  const r = await qpdfCheck(pdf);
  expect(r.warnings).toEqual([]);
  expect(r.exitCode).toBe(0);
};

describe('the shared corpus of real PDFs (test/fixtures/pdfs), read and sealed by this library', () => {
  const refusal = (f: PdfFixture) => (f.cases.includes('broken') ? 'pdf_malformed' : f.cases.includes('encrypted') ? 'pdf_encrypted' : undefined);

  for (const f of ALL_PDF_FIXTURES) {
    it(`${f.file}: ${refusal(f) ? `refused (${refusal(f)})` : 'pages as described, sealed without a new qpdf warning, the earlier signatures kept, its keyword found'}`, async () => {
      const pdf = readFileSync(f.path);
      const expected = refusal(f);
      if (expected) {
        expect(code(() => readPdfPages(pdf))).toBe(expected);
        expect(code(() => prepareSignature(pdf, opts(at(1))))).toBe(expected);
        expect(code(() => readPdfSignatures(pdf))).toBe(expected);
        return;
      }
      const pages = readPdfPages(pdf);
      expect(pages).toHaveLength(f.pages!);
      if (f.rotations) expect(pages.map((p) => p.rotate)).toEqual(f.rotations);
      if (f.boxes) expect([pages[0].mediaBox, pages[0].cropBox]).toEqual([f.boxes.mediaBox, f.boxes.cropBox]);
      expect(readPdfSignatures(pdf)).toHaveLength(f.signatures);

      const signed = sign(pdf, at(pages.find((p) => p.hasContent)!.index));
      const sigs = readPdfSignatures(signed);
      expect(sigs).toHaveLength(f.signatures + 1);
      expect(sigs.at(-1)!.coversWholeFileButContents).toBe(true);
      for (const earlier of sigs.slice(0, -1)) expect(earlier.laterRevisions.map((r) => r.addsOnlySignaturesOrAnnotations)).toEqual([true]);
      if (hasQpdf) {
        const [before, after] = [await qpdfCheck(pdf), await qpdfCheck(signed)];
        expect(after.errors).toEqual([]);
        // Warnings the file had may go (a linearised file is no longer linearised): none is added.
        for (const w of after.warnings) expect(before.warnings, w).toContain(w);
      }
      if (f.keyword) {
        const [found] = await findTextPlacements(pdf, f.keyword, { occurrence: 'first', widthMm: 20, heightMm: 20 });
        expect(found.page).toBe(1);
      }
    });
  }
});

describe('real PDFs from the qpdf and pdf.js test corpora (libs/pdf/fixtures)', () => {
  it('are the files the README lists, byte for byte', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.pdf')).sort()).toEqual(FILES);
    const sums = readFileSync(join(DIR, 'SHA256SUMS'), 'latin1').trim().split('\n').map((l) => l.split(/\s+/));
    expect(sums.map(([, f]) => f).sort()).toEqual(FILES);
    for (const [hash, f] of sums) expect(createHash('sha256').update(load(f)).digest('hex'), f).toBe(hash);
  });

  it('reads another producer’s signature, and sealing again only adds one', async () => {
    const pdf = readFileSync(PDF_FIXTURES.signed.path);
    const [theirs] = readPdfSignatures(pdf);
    expect(theirs).toMatchObject({ fieldName: 'Signature2', subFilter: 'adbe.pkcs7.detached', name: 'John Doe', pages: [1], coversWholeFileButContents: true, revisionEnd: pdf.length, laterRevisions: [] });
    expect(theirs.contents[0]).toBe(0x30);
    const signed = sign(pdf);
    const [before, ours] = readPdfSignatures(signed);
    expect(before.laterRevisions).toMatchObject([{ end: signed.length, addsOnlySignaturesOrAnnotations: true }]);
    expect(ours).toMatchObject({ fieldName: 'Signature1', coversWholeFileButContents: true, laterRevisions: [] });
    await expectClean(signed);
  });

  it('tells a ByteRange one byte off its /Contents from one that covers the file', () => {
    const [s] = readPdfSignatures(load('pdfjs_signed_verified.pdf'));
    expect(s.byteRange).toEqual([0, 644, 8836, 1416]);
    expect(s.coversWholeFileButContents).toBe(false);
  });

  it('refuses the encrypted file for sealing, search and verification', async () => {
    const pdf = load('qpdf_encrypted-positive-P.pdf');
    expect(code(() => prepareSignature(pdf, opts(at(1))))).toBe('pdf_encrypted');
    expect(code(() => readPdfSignatures(pdf))).toBe('pdf_encrypted');
    expect(await findTextPlacements(pdf, 'x', { occurrence: 'first', widthMm: 10, heightMm: 10 }).then(() => 'ok', (e: PdfError) => e.code)).toBe('pdf_encrypted');
  });

  it('refuses a seal on a page that holds only an annotation (an incremental, xref-stream file)', () => {
    const pdf = load('pdfjs_issue20062.pdf');
    expect(readPdfFile(pdf).revisions).toHaveLength(2);
    expect(readPdfPages(pdf).map((p) => p.hasContent)).toEqual([false]);
    expect(code(() => prepareSignature(pdf, opts(at(1))))).toBe('pdf_blank_page@1');
  });

  it('seals a PDF 2.0 file and a linearised one cleanly', async () => {
    for (const name of ['pdfjs_issue14755.pdf', 'pdfjs_issue6081.pdf']) {
      const pdf = load(name);
      const revisions = readPdfFile(pdf).revisions.length;
      expect(revisions, name).toBe(1); // the linearised file's two xref sections are one revision
      const signed = sign(pdf);
      expect(readPdfFile(signed).revisions).toHaveLength(2);
      expect(readPdfSignatures(signed)[0].coversWholeFileButContents).toBe(true);
      await expectClean(signed);
    }
  });

  it('finds 校长 in real Chinese text where pdftotext puts the word', async () => {
    const pdf = load('pdfjs_issue2128r.pdf');
    const [p] = await findTextPlacements(pdf, '校长', { occurrence: 'all', widthMm: 20, heightMm: 20 });
    const centre = { x: (p.xMm + 10) * PT_PER_MM, y: (p.yMm + 10) * PT_PER_MM };
    expect(p.page).toBe(1);
    if (hasPoppler) {
      // pdftotext's box of the word 浅谈校长的魅力 (7 glyphs): 校长 is the 3rd and 4th.
      const dir = mkdtempSync(join(tmpdir(), 'ecert-pdf-'));
      try {
        writeFileSync(join(dir, 'in.pdf'), pdf);
        const html = execFileSync('pdftotext', ['-bbox', join(dir, 'in.pdf'), '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const m = /xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">浅谈校长的魅力</.exec(html)!;
        const [x0, y0, x1, y1] = m.slice(1).map(Number);
        const glyph = (x1 - x0) / 7;
        expect(centre.x).toBeCloseTo(x0 + 3 * glyph, -0.5); // within ±1.6 pt
        expect(centre.y).toBeGreaterThan(y0 - 2);
        expect(centre.y).toBeLessThan(y1 + 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  describe.skipIf(!hasPoppler)('rendered (pdftoppm)', () => {
    const pxBox = (p: { xMm: number; yMm: number; widthMm: number; heightMm: number }) => [p.xMm, p.yMm, p.xMm + p.widthMm, p.yMm + p.heightMm].map((v) => v * PT_PER_MM) as PxBox;

    it('shows the seal where the placement says on each of qpdf’s boxes.pdf pages (CropBoxes, negative MediaBoxes, every rotation)', async () => {
      const pdf = load('qpdf_boxes.pdf');
      const pages = readPdfPages(pdf);
      expect(pages.map((p) => p.rotate)).toEqual([0, 90, 180, 270, 0, 90, 180, 270]);
      const placements = pages.map((p) => ({ page: p.index, xMm: 25, yMm: 35, widthMm: 40, heightMm: 40 }));
      const signed = sign(pdf, placements);
      await expectClean(signed);
      for (const p of placements) {
        const r = inkCount(await renderPage(signed, p.page, 72), pxBox(p), isRed, await renderPage(pdf, p.page, 72));
        expect(r.inside, `page ${p.page}`).toBeGreaterThan(r.area * 0.5);
        expect(r.outside, `page ${p.page}`).toBe(0);
      }
    });

    it('puts a cross-page seal on the right edges of five rotated pages as displayed', async () => {
      const pdf = load('pdfjs_hello_world_rotated.pdf');
      const placements = crossPagePlacements(readPdfPages(pdf), { yMm: 60, widthMm: 50, heightMm: 50 });
      const signed = sign(pdf, placements);
      await expectClean(signed);
      for (const p of [placements[0], placements[4]]) {
        const img = await renderPage(signed, p.page, 72);
        expect(img.width).toBe(792); // landscape as displayed
        const r = inkCount(img, pxBox(p), isRed, await renderPage(pdf, p.page, 72));
        expect(r.inside).toBeGreaterThan(r.area * 0.5);
        expect(r.outside).toBe(0);
      }
    });
  });
});
