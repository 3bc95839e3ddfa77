import { describe, expect, it } from 'vitest';
import { PdfError } from './pdf-error';
import { readPdfPages } from './pdf-page-reader';
import { A4, buildTestPdf, GREY_CONTENT, helvetica, latinText } from './test-pdfs.spec-helper';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as PdfError).code;
  }
  return 'ok';
};

describe('readPdfPages', () => {
  it('gives every page its boxes and rotation, inherited through the page tree', () => {
    const pdf = buildTestPdf({
      rootMediaBox: [0, 0, 500, 700],
      pages: [
        { content: GREY_CONTENT },
        { mediaBox: A4, cropBox: [50, 60, 545, 800], rotate: 90, content: GREY_CONTENT },
        { mediaBox: [0, 0, 300, 300], cropBox: [-10, 100, 200, 400], rotate: -90, content: GREY_CONTENT },
      ],
    });
    expect(readPdfPages(pdf)).toEqual([
      { index: 1, mediaBox: [0, 0, 500, 700], cropBox: [0, 0, 500, 700], rotate: 0, hasContent: true },
      { index: 2, mediaBox: A4, cropBox: [50, 60, 545, 800], rotate: 90, hasContent: true },
      // The CropBox is clipped to the MediaBox; -90 is 270.
      { index: 3, mediaBox: [0, 0, 300, 300], cropBox: [0, 100, 200, 300], rotate: 270, hasContent: true },
    ]);
  });

  it('reads pages from an object stream and an xref stream alike', () => {
    const pages = [{ mediaBox: A4, content: GREY_CONTENT }, { mediaBox: A4, rotate: 180, content: latinText('Hello', 50, 50) , fonts: { F1: helvetica() } }];
    for (const xref of ['stream', 'hybrid'] as const) {
      expect(readPdfPages(buildTestPdf({ xref, pages })).map((p) => [p.rotate, p.hasContent])).toEqual([[0, true], [180, true]]);
    }
  });

  it('tells pages with something painted from blank ones', () => {
    const pdf = buildTestPdf({
      pages: [
        { mediaBox: A4 }, // no /Contents at all
        { mediaBox: A4, content: '  \n' },
        { mediaBox: A4, content: 'q 1 0 0 1 10 10 cm 0 0 100 100 re n BT /F1 12 Tf ET Q' }, // a path not painted, text not shown
        { mediaBox: A4, content: 'BT /F1 12 Tf 10 10 Td (x) Tj ET', fonts: { F1: helvetica() } },
        { mediaBox: A4, content: 'q 100 0 0 100 0 0 cm /Im0 Do Q' },
        { mediaBox: A4, content: 'BI /W 1 /H 1 /BPC 8 /CS /G ID \u0000 EI' },
        { mediaBox: A4, content: '(a string with Tj inside) pop 0 0 m 10 10 l S' },
      ],
    });
    expect(readPdfPages(pdf).map((p) => p.hasContent)).toEqual([false, false, false, true, true, true, true]);
  });

  it('refuses an encrypted PDF', () => {
    const pdf = buildTestPdf({ trailer: ' /Encrypt 99 0 R /ID [<00> <00>]' });
    expect(code(() => readPdfPages(pdf))).toBe('pdf_encrypted');
  });
});
