import { describe, expect, it } from 'vitest';
import { writeIncrementalUpdate, type UpdateObject } from './incremental-update-writer';
import { PdfError } from './pdf-error';
import { readPdfFile } from './pdf-file-reader';
import { PdfRef, PdfStream, type PdfObject } from './pdf-object';
import { pdfsig, requirePeers } from './pdf-tools.spec-helper';
import { embedSignature } from './signature-embedder';
import { prepareSignature, type PrepareSignatureOptions } from './signature-preparer';
import { readPdfSignatures, withoutPadding } from './signature-reader';
import { buildTestPdf, dummyCms, sealPng, type TestPdfSpec } from './test-pdfs.spec-helper';

/** Checked once, at collection: a missing tool is one skip line (a failing test under CI=true). */
const hasPdfsig = requirePeers('libs/pdf: signature fields listed by pdfsig', 'pdfsig', 'certutil');
const seal = sealPng();
const opts = (extra: Partial<PrepareSignatureOptions> = {}): PrepareSignatureOptions => ({
  placements: [{ page: 1, xMm: 120, yMm: 200, widthMm: 40, heightMm: 40 }],
  image: { png: seal },
  subFilter: 'ETSI.CAdES.detached',
  signingTime: new Date('2025-03-01T08:00:00Z'),
  ...extra,
});
const sign = (pdf: Uint8Array, o = opts(), cms = dummyCms()) => embedSignature(prepareSignature(pdf, o), cms);

/** An incremental update by the library's own writer: objects redefined or added by the test. */
function update(pdf: Uint8Array, objects: (file: ReturnType<typeof readPdfFile>, next: () => number) => UpdateObject[]): Uint8Array {
  const file = readPdfFile(pdf);
  let size = file.trailer.get('Size') as number;
  const objs = objects(file, () => size++);
  return Buffer.concat([pdf, writeIncrementalUpdate(file, objs, size).bytes]);
}

const firstPage = (file: ReturnType<typeof readPdfFile>) => {
  const ref = (file.resolve(file.dict(file.catalog().get('Pages'))!.get('Kids')) as PdfRef[])[0];
  return { ref, dict: file.dict(ref)! };
};

describe('readPdfSignatures', () => {
  for (const xref of ['table', 'stream'] as TestPdfSpec['xref'][]) {
    it(`reads a signature back with all a verifier needs (${xref})`, () => {
      const cms = dummyCms(3000);
      const prepared = prepareSignature(buildTestPdf({ xref }), opts({ reason: '同意盖章', location: 'Hangzhou', name: '某某单位', contactInfo: '0571' }));
      const signed = embedSignature(prepared, cms);
      const [s, ...rest] = readPdfSignatures(signed);
      expect(rest).toHaveLength(0);
      expect(s).toMatchObject({
        fieldName: 'Signature1',
        subFilter: 'ETSI.CAdES.detached',
        filter: 'Adobe.PPKLite',
        byteRange: prepared.byteRange,
        reason: '同意盖章',
        location: 'Hangzhou',
        name: '某某单位',
        contactInfo: '0571',
        m: 'D:20250301080000Z',
        pages: [1],
        coversWholeFileButContents: true,
        revisionEnd: signed.length,
        laterRevisions: [],
      });
      expect(Buffer.from(s.contents).equals(cms)).toBe(true);
    });
  }

  it('finds both signatures of a file signed twice; the second update only adds a signature for the first', async () => {
    const once = sign(buildTestPdf({ xref: 'stream', pages: [{ mediaBox: [0, 0, 595, 842], content: '0 0 100 100 re f' }, { mediaBox: [0, 0, 595, 842], content: '0 0 100 100 re f' }] }));
    const twice = sign(once, opts({ placements: [{ page: 2, xMm: 20, yMm: 20, widthMm: 30, heightMm: 30 }, { page: 1, xMm: 20, yMm: 20, widthMm: 30, heightMm: 30 }] }));
    const [first, second] = readPdfSignatures(twice);
    expect(first.fieldName).toBe('Signature1');
    expect(first.coversWholeFileButContents).toBe(true);
    expect(first.revisionEnd).toBe(once.length);
    expect(first.laterRevisions).toHaveLength(1);
    expect(first.laterRevisions[0]).toMatchObject({ end: twice.length, addsOnlySignaturesOrAnnotations: true });
    expect(first.laterRevisions[0].changedObjects.length).toBeGreaterThan(0);
    expect(first.laterRevisions[0].changes.every((c) => c.allowed)).toBe(true);
    expect(second).toMatchObject({ fieldName: 'Signature2', pages: [1, 2], coversWholeFileButContents: true, revisionEnd: twice.length, laterRevisions: [] });
    if (hasPdfsig) {
      // A peer sees the same two fields and ranges (the dummy containers do not verify, which is not asked here).
      // poppler lists a field with two widgets once per widget, each with the field's signature.
      const report = await pdfsig(twice);
      expect(report.signatures.map((s) => [s.fieldName, s.totalDocumentSigned])).toEqual([['Signature1', false], ['Signature2', true], ['Signature2', true]]);
      const ranges = (b: number[]) => [{ start: 0, end: b[1] }, { start: b[2], end: b[2] + b[3] }];
      expect(report.signatures.map((s) => s.signedRanges)).toEqual([ranges(first.byteRange), ranges(second.byteRange), ranges(second.byteRange)]);
    }
  });

  it('reports a later update that changes the page content, naming the object', () => {
    const signed = sign(buildTestPdf());
    const file = readPdfFile(signed);
    const content = firstPage(file).dict.get('Contents') as PdfRef;
    const changed = update(signed, () => [{ num: content.num, gen: 0, value: new PdfStream(new Map(), Buffer.from('BT /F1 24 Tf 100 100 Td (PAID) Tj ET')) }]);
    const [s] = readPdfSignatures(changed);
    expect(s.coversWholeFileButContents).toBe(true);
    expect(s.laterRevisions).toHaveLength(1);
    expect(s.laterRevisions[0].addsOnlySignaturesOrAnnotations).toBe(false);
    expect(s.laterRevisions[0].changedObjects).toEqual([content.key]);
    expect(s.laterRevisions[0].changes[0].what).toBe("page 1's content is changed");
  });

  it('reports a page added after signing as a change of the page tree', () => {
    const signed = sign(buildTestPdf());
    const added = update(signed, (file, next) => {
      const pagesRef = file.catalog().get('Pages') as PdfRef;
      const pages = new Map(file.dict(pagesRef)!);
      const pageNum = next();
      const contentNum = next();
      pages.set('Kids', [...(pages.get('Kids') as PdfObject[]), new PdfRef(pageNum, 0)]);
      pages.set('Count', 2);
      return [
        { num: pagesRef.num, gen: 0, value: pages },
        { num: pageNum, gen: 0, value: new Map<string, PdfObject>([['Type', 'Page'], ['Parent', pagesRef], ['MediaBox', [0, 0, 595, 842]], ['Contents', new PdfRef(contentNum, 0)]]) },
        { num: contentNum, gen: 0, value: new PdfStream(new Map(), Buffer.from('0 0 10 10 re f')) },
      ];
    });
    const [s] = readPdfSignatures(added);
    expect(s.laterRevisions[0].addsOnlySignaturesOrAnnotations).toBe(false);
    expect(s.laterRevisions[0].changes.map((c) => c.what)).toContain('the page tree (pages added, removed or reordered) is changed');
  });

  it('lets a later update add a signature widget and a DSS (any other annotation could paint over the signed page)', () => {
    const signed = sign(buildTestPdf());
    const annotated = update(signed, (file, next) => {
      const page = firstPage(file);
      const annotNum = next();
      const dssNum = next();
      const pageDict = new Map(page.dict);
      pageDict.set('Annots', [...((file.resolve(page.dict.get('Annots')) as PdfObject[]) ?? []), new PdfRef(annotNum, 0)]);
      const rootRef = file.trailer.get('Root') as PdfRef;
      const catalog = new Map(file.catalog());
      catalog.set('DSS', new PdfRef(dssNum, 0));
      return [
        { num: page.ref.num, gen: 0, value: pageDict },
        { num: annotNum, gen: 0, value: new Map<string, PdfObject>([['Type', 'Annot'], ['Subtype', 'Widget'], ['FT', 'Sig'], ['Rect', [10, 10, 30, 30]]]) },
        { num: dssNum, gen: 0, value: new Map<string, PdfObject>([['Type', 'DSS'], ['Certs', []]]) },
        { num: rootRef.num, gen: 0, value: catalog },
      ];
    });
    const [s] = readPdfSignatures(annotated);
    expect(s.laterRevisions[0].addsOnlySignaturesOrAnnotations).toBe(true);
    expect(s.laterRevisions[0].changes.map((c) => c.what)).toEqual(expect.arrayContaining(['page 1 gains signature widgets']));
  });

  it('removing an annotation of the signed revision is a change', () => {
    const signed = sign(buildTestPdf());
    const removed = update(signed, (file) => {
      const page = firstPage(file);
      const d = new Map(page.dict);
      d.set('Annots', []);
      return [{ num: page.ref.num, gen: 0, value: d }];
    });
    const [s] = readPdfSignatures(removed);
    expect(s.laterRevisions[0].addsOnlySignaturesOrAnnotations).toBe(false);
    expect(s.laterRevisions[0].changes[0].what).toMatch(/page 1 is changed .*annotations removed/);
  });

  it('does not claim whole-file coverage for a ByteRange that leaves bytes out', () => {
    const prepared = prepareSignature(buildTestPdf(), opts());
    const [a, b, c, d] = prepared.byteRange;
    const text = Buffer.from(prepared.pdf).toString('latin1');
    const written = `[${[a, b, c, d].join(' ')}`;
    const at = text.indexOf(written);
    const shorter = `[${[a, b, c, d - 10].join(' ')}`.padEnd(written.length, ' ');
    const pdf = Buffer.from(prepared.pdf);
    pdf.write(shorter, at, 'latin1');
    const [s] = readPdfSignatures(embedSignature({ ...prepared, pdf }, dummyCms()));
    expect(s.byteRange[3]).toBe(d - 10);
    expect(s.coversWholeFileButContents).toBe(false);
  });

  it('reads no signatures from an unsigned PDF and refuses an encrypted one', () => {
    expect(readPdfSignatures(buildTestPdf())).toEqual([]);
    expect(() => readPdfSignatures(buildTestPdf({ trailer: ' /Encrypt 9 0 R' }))).toThrow(PdfError);
  });

  it('removes the zero padding after a DER or BER container', () => {
    const der = dummyCms(300);
    expect(withoutPadding(Buffer.concat([der, Buffer.alloc(100)])).length).toBe(300);
    const ber = Buffer.from([0x30, 0x80, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00]);
    expect([...withoutPadding(Buffer.concat([ber, Buffer.alloc(10)]))]).toEqual([...ber]);
  });
});

