import { describe, expect, it } from 'vitest';
import { PdfError } from './pdf-error';
import { readPdfFile } from './pdf-file-reader';
import { PdfLexer } from './pdf-lexer';
import { pdfEquals, PdfRef, PdfStream, PdfString, type PdfDict } from './pdf-object';
import { PdfObjectParser } from './pdf-object-parser';
import { serializePdfObject } from './pdf-object-serializer';
import { decodeTextString, encodeTextString } from './pdf-text-string-codec';
import { buildTestPdf, GREY_CONTENT } from './test-pdfs.spec-helper';

const parse = (s: string) => new PdfObjectParser(Buffer.from(s, 'latin1')).parse(new PdfLexer(Buffer.from(s, 'latin1')));

describe('PDF objects', () => {
  it('reads names with #xx escapes, literal strings with escapes and nested parentheses, hex strings, refs', () => {
    const v = parse('<< /Java#53cript (a\\(b\\) (nested) \\101\\n\\\r\nc) /Hex <48 65 6c6c 6F7> /R 12 0 R /A [1 -2.5 .5 true null /N] >>') as PdfDict;
    expect([...v.keys()]).toEqual(['JavaScript', 'Hex', 'R', 'A']);
    expect((v.get('JavaScript') as PdfString).latin1).toBe('a(b) (nested) A\nc');
    expect((v.get('Hex') as PdfString).latin1).toBe('Hellop');
    expect(v.get('R')).toEqual(new PdfRef(12, 0));
    expect(v.get('A')).toEqual([1, -2.5, 0.5, true, null, 'N']);
  });

  it('serialises what it reads back to the same objects', () => {
    const src = '<< /Type /Annot /N#20ame (x\\)y\u00ff) /H <00ff> /Arr [1 0 R 3.25 /A#23B] /D << /Nested true >> >>';
    const once = parse(src);
    expect(pdfEquals(parse(serializePdfObject(once)), once)).toBe(true);
    expect(serializePdfObject(parse(serializePdfObject(once)))).toBe(serializePdfObject(once));
    expect(serializePdfObject(parse('/A#23B'))).toBe('/A#23B');
  });

  it('writes Unicode text strings as UTF-16BE with a BOM, ASCII as it is', () => {
    const s = encodeTextString('盖章 reason');
    expect([...s.bytes.subarray(0, 4)]).toEqual([0xfe, 0xff, 0x76, 0xd6]);
    expect(decodeTextString(s)).toBe('盖章 reason');
    expect(encodeTextString('plain').latin1).toBe('plain');
  });
});

describe('readPdfFile', () => {
  for (const xref of ['table', 'stream', 'hybrid'] as const) {
    it(`resolves objects through a ${xref} cross-reference${xref === 'table' ? '' : ' with an object stream'}`, () => {
      const file = readPdfFile(buildTestPdf({ xref, pages: [{ mediaBox: [0, 0, 200, 300], content: GREY_CONTENT }] }));
      expect(file.sections[0].kind).toBe(xref === 'stream' ? 'stream' : 'table');
      const catalog = file.catalog();
      expect(catalog.get('Type')).toBe('Catalog');
      const pages = file.dict(catalog.get('Pages'))!;
      const page = file.dict((file.resolve(pages.get('Kids')) as PdfRef[])[0])!;
      expect(page.get('MediaBox')).toEqual([0, 0, 200, 300]);
      const content = file.resolve(page.get('Contents')) as PdfStream;
      expect(Buffer.from(file.decode(content)).toString('latin1')).toBe(GREY_CONTENT);
      if (xref !== 'table') expect(file.entry(1)!.entry.type).toBe(2);
    });
  }

  it('reads a stream whose /Length is an indirect object', () => {
    const data = 'BT ET 0 0 10 10 re f';
    const pdf = buildTestPdf({
      pages: [{ mediaBox: [0, 0, 100, 100], extra: '/Contents 4 0 R' }],
      extraObjects: [`<< /Length 5 0 R >>\nstream\n${data}\nendstream`, String(data.length)],
    });
    const file = readPdfFile(pdf);
    const s = file.object(4) as PdfStream;
    expect(Buffer.from(s.data).toString('latin1')).toBe(data);
  });

  it('groups an incremental update into a second revision with /Prev', () => {
    const pdf = buildTestPdf();
    const prev = Number(/startxref\n(\d+)/.exec(pdf.toString('latin1'))![1]);
    const body = '<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>';
    const objAt = pdf.length;
    const obj = `1 0 obj\n${body}\nendobj\n`;
    const xrefAt = objAt + obj.length;
    const update = `${obj}xref\n1 1\n${String(objAt).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const file = readPdfFile(Buffer.concat([pdf, Buffer.from(update, 'latin1')]));
    expect(file.revisions.map((r) => r.end)).toEqual([pdf.length, pdf.length + update.length]);
    expect((file.catalog().get('Lang') as PdfString).latin1).toBe('zh-CN');
    expect(file.dict(new PdfRef(1, 0), 0)!.has('Lang')).toBe(false);
  });

  it('refuses what is not a PDF or has no cross-reference', () => {
    const code = (b: Buffer) => {
      try {
        readPdfFile(b);
      } catch (e) {
        return (e as PdfError).code;
      }
      return 'read';
    };
    expect(code(Buffer.from('hello'))).toBe('pdf_malformed');
    expect(code(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).toBe('pdf_malformed');
    expect(code(Buffer.from('%PDF-1.7\nstartxref\n5\n%%EOF\n'))).toBe('pdf_malformed');
  });
});
