import { describe, expect, it } from 'vitest';
import { writeIncrementalUpdate, type UpdateObject } from './incremental-update-writer';
import { readPdfFile } from './pdf-file-reader';
import { PdfRef, PdfStream, type PdfObject } from './pdf-object';
import { embedSignature } from './signature-embedder';
import { prepareSignature, type PrepareSignatureOptions } from './signature-preparer';
import { readPdfSignatures } from './signature-reader';
import { buildTestPdf, dummyCms, sealPng, latinText, helvetica } from './test-pdfs.spec-helper';

const seal = sealPng();
const opts: PrepareSignatureOptions = { placements: [{ page: 1, xMm: 120, yMm: 200, widthMm: 40, heightMm: 40 }], image: { png: seal }, subFilter: 'ETSI.CAdES.detached', signingTime: new Date('2025-03-01T08:00:00Z') };
const sign = (pdf: Uint8Array) => Buffer.from(embedSignature(prepareSignature(pdf, opts), dummyCms()));
function update(pdf: Uint8Array, objects: (file: ReturnType<typeof readPdfFile>, next: () => number) => UpdateObject[]): Buffer {
  const file = readPdfFile(pdf);
  let size = file.trailer.get('Size') as number;
  const objs = objects(file, () => size++);
  return Buffer.concat([pdf, writeIncrementalUpdate(file, objs, size).bytes]);
}
/** minimal table-xref PDF; bodies[i] is object i+1; null = listed as free */
function raw(bodies: (string | null)[]): Buffer {
  let out = '%PDF-1.7\n'; const off: number[] = [];
  bodies.forEach((b, i) => { if (b !== null) { off[i + 1] = out.length; out += `${i + 1} 0 obj\n${b}\nendobj\n`; } });
  const at = out.length;
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  for (let n = 1; n <= bodies.length; n++) out += off[n] !== undefined ? `${String(off[n]).padStart(10, '0')} 00000 n \n` : '0000000000 00000 f \n';
  out += `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
const stream = (s: string) => `<< /Length ${s.length} >>\nstream\n${s}\nendstream`;

/**
 * Shadow attacks the review of issue 11 found: each must make the signature's later revisions
 * report a change (never "adds only signatures"), so verification cannot say TOTAL_PASSED.
 */
describe('changes after signing that verification must see', () => {
  it('bytes after the last %%EOF count as a change', () => {
    const signed = sign(buildTestPdf({ pages: [{ mediaBox: [0, 0, 595, 842], content: latinText('Hello', 72, 700), fonts: { F1: helvetica() } }] }));
    const tampered = Buffer.concat([signed, Buffer.from('\n9 0 obj\n<< /Evil true >>\nendobj\nANYTHING AT ALL\n')]);
    const [s] = readPdfSignatures(tampered);
    expect(s!.laterRevisions.some((r) => !r.addsOnlySignaturesOrAnnotations)).toBe(true);
    expect(s!.laterRevisions.at(-1)!.changes[0]!.what).toMatch(/follow the last %%EOF/);
  });

  it('an overlay annotation (a stamp over the amount) added after signing is a change', () => {
    const signed = sign(buildTestPdf({ pages: [{ mediaBox: [0, 0, 595, 842], content: latinText('Amount: 100 CNY', 72, 700), fonts: { F1: helvetica() } }] }));
    const t = update(signed, (file, next) => {
      const pages = file.dict(file.catalog().get('Pages'))!;
      const pref = (file.resolve(pages.get('Kids')) as PdfRef[])[0];
      const page = new Map(file.dict(pref)!);
      const ap = next(); const annot = next(); const font = next();
      const annots = file.resolve(page.get('Annots')) as PdfObject[];
      page.set('Annots', [...(Array.isArray(annots) ? annots : []), new PdfRef(annot, 0)]);
      const content = '1 1 1 rg 60 690 300 30 re f BT /F1 12 Tf 72 700 Td (Amount: 1000000 CNY) Tj ET';
      return [
        { num: pref.num, gen: 0, value: page },
        { num: font, gen: 0, value: new Map<string, PdfObject>([['Type', 'Font'], ['Subtype', 'Type1'], ['BaseFont', 'Helvetica']]) },
        { num: ap, gen: 0, value: new PdfStream(new Map<string, PdfObject>([['Type', 'XObject'], ['Subtype', 'Form'], ['BBox', [0, 0, 595, 842]], ['Resources', new Map([['Font', new Map([['F1', new PdfRef(font, 0)]])]])]]), Buffer.from(content)) },
        { num: annot, gen: 0, value: new Map<string, PdfObject>([['Type', 'Annot'], ['Subtype', 'Stamp'], ['Rect', [0, 0, 595, 842]], ['F', 4], ['AP', new Map([['N', new PdfRef(ap, 0)]])]]) },
      ] as UpdateObject[];
    });
    const [s] = readPdfSignatures(t);
    expect(s!.laterRevisions).toHaveLength(1);
    expect(s!.laterRevisions[0]!.addsOnlySignaturesOrAnnotations).toBe(false);
    expect(s!.laterRevisions[0]!.changes.map((c) => c.what).join(' ')).toMatch(/not a signature widget \(\/Subtype \/Stamp\)/);
  });

  it('a later revision filling in an object the signed page already refers to is a change', () => {
    const orig = raw([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 6 0 R] /Resources << /Font << /F1 5 0 R >> >> >>',
      stream('BT /F1 14 Tf 72 700 Td (Amount: 100 CNY) Tj ET'),
      helvetica(),
      null,
    ]);
    const signed = sign(orig);
    const t = update(signed, () => [{ num: 6, gen: 0, value: new PdfStream(new Map(), Buffer.from('1 1 1 rg 60 690 300 30 re f 0 g BT /F1 14 Tf 72 700 Td (Amount: 1000000 CNY) Tj ET')) }] as UpdateObject[]);
    const [s] = readPdfSignatures(t);
    expect(s!.laterRevisions[0]!.addsOnlySignaturesOrAnnotations).toBe(false);
    expect(s!.laterRevisions[0]!.changes.map((c) => c.what)).toContain('an object the signed revision already referred to is defined after signing');
  });
});
