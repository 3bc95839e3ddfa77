import { describe, expect, it } from 'vitest';
import { PdfError } from './pdf-error';
import { readPdfSignatures } from './signature-reader';
import { readPdfPages } from './pdf-page-reader';
function raw(bodies: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.7\n'; const off: number[] = [];
  bodies.forEach((b, i) => { off[i + 1] = out.length; out += `${i + 1} 0 obj\n${b}\nendobj\n`; });
  const at = out.length;
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  for (let n = 1; n <= bodies.length; n++) out += `${String(off[n]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
function xrefStreamBomb(): Buffer {
  let out = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n';
  const at = out.length;
  out += `3 0 obj\n<< /Type /XRef /Size 200000000 /W [0 0 0] /Root 1 0 R /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
const cases: [string, () => Buffer][] = [
  ['xref stream W[0 0 0] Size 2e8', xrefStreamBomb],
  ['deep array nesting 100k', () => raw(['<< /Type /Catalog /Pages 2 0 R /X ' + '['.repeat(100000) + ']'.repeat(100000) + ' >>', '<< /Type /Pages /Kids [] /Count 0 >>'])],
  ['deep dict nesting 100k', () => raw(['<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>', '<< /Fields [4 0 R] >>', '<< /FT /Sig /V ' + '<< /A '.repeat(50000) + '1' + ' >>'.repeat(50000) + ' >>'])],
  ['Kids self-cycle', () => raw(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 1 >>'])],
  ['Fields /Kids cycle', () => raw(['<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>', '<< /Type /Pages /Kids [] /Count 0 >>', '<< /Kids [4 0 R 3 0 R] >>', '<< /Kids [3 0 R 4 0 R] /Parent 3 0 R >>'])],
  ['Fields fan-out DAG (2^40 paths)', () => { const b = ['<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>', '<< /Type /Pages /Kids [] /Count 0 >>']; for (let i = 3; i < 43; i++) b.push(`<< /Kids [${i + 1} 0 R ${i + 1} 0 R] >>`); b.push('<< /FT /Sig >>'); return raw(b); }],
  ['Pages fan-out DAG (2^40 paths)', () => { const b = ['<< /Type /Catalog /Pages 2 0 R >>']; for (let i = 2; i < 42; i++) b.push(`<< /Type /Pages /Kids [${i + 1} 0 R ${i + 1} 0 R] /Count 2 >>`); b.push('<< /Type /Page /MediaBox [0 0 10 10] >>'); return raw(b); }],
  ['huge /Length', () => raw(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 /S 3 0 R >>', '<< /Length 99999999999 >>\nstream\nabc\nendstream'])],
  ['Length ref loop', () => raw(['<< /Type /Catalog /Pages 2 0 R /S 3 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>', '<< /Length 3 0 R >>\nstream\nabc\nendstream'])],
];
/** Hostile structures: each is read or refused as pdf_malformed, never a hang or an engine error. */
describe('hostile PDF structures', () => {
  for (const [name, make] of cases) {
    it(name, () => {
      const pdf = make();
      for (const f of [() => readPdfSignatures(pdf), () => readPdfPages(pdf)]) {
        try {
          f();
        } catch (e) {
          expect(e, (e as Error).message).toBeInstanceOf(PdfError);
        }
      }
    });
  }
});
