import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MaterialRejectedError, type MaterialRejectionCode } from './material-rejected-error';
import { inspectMaterial } from './material-inspector';
import { buildPdf, handmadePng, onePage, pdfStream, pngChunk, testJpeg, testPng } from './test-materials.spec-helper';

const maxBytes = 10 * 1024 * 1024;
const inspect = (bytes: Uint8Array) => inspectMaterial(bytes, { maxBytes });
const latin1 = (s: string) => Buffer.from(s, 'latin1');

function refusal(bytes: Uint8Array, opts = { maxBytes }): MaterialRejectedError {
  try {
    inspectMaterial(bytes, opts);
  } catch (err) {
    if (err instanceof MaterialRejectedError) return err;
    throw err;
  }
  throw new Error('the material was accepted');
}

function expectRefused(bytes: Uint8Array, code: MaterialRejectionCode, message?: RegExp): void {
  const err = refusal(bytes);
  expect(err.code, err.message).toBe(code);
  if (message) expect(err.message).toMatch(message);
}

describe('inspectMaterial', () => {
  describe('by content alone', () => {
    it('refuses empty and oversized materials', () => {
      expectRefused(new Uint8Array(0), 'material_empty');
      const pdf = buildPdf();
      expect(refusal(pdf, { maxBytes: pdf.length - 1 }).code).toBe('material_too_large');
      expect(inspectMaterial(pdf, { maxBytes: pdf.length }).mediaType).toBe('application/pdf');
    });

    it.each([
      ['a text file', latin1('Name: 张三\nThis is not a scan.\n')],
      ['an HTML page', latin1('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>')],
      ['random bytes', randomBytes(4096)],
      ['a GIF', latin1('GIF89a\x01\x00\x01\x00\x00\x00\x00;')],
    ])('refuses %s as unsupported', (_, bytes) => {
      expectRefused(bytes, 'material_type_unsupported', /not a PDF, JPEG or PNG/);
    });
  });

  describe('PDF', () => {
    it('accepts a minimal PDF with an xref table, PDF 2.0, and PDF 1.5 with an xref stream', () => {
      expect(inspect(buildPdf())).toEqual({ mediaType: 'application/pdf' });
      expect(inspect(buildPdf({ version: '2.0' })).mediaType).toBe('application/pdf');
      expect(inspect(buildPdf({ version: '1.5', xref: 'stream' })).mediaType).toBe('application/pdf');
    });

    it('accepts objects compressed in an object stream when none is active', () => {
      const pdf = buildPdf({ version: '1.5', objects: onePage(' /Metadata 5 0 R'), compressed: ['<< /Producer (scanner) >>'] });
      expect(inspect(pdf).mediaType).toBe('application/pdf');
    });

    it('accepts binary junk before the header (offsets counted from it), but not markup', () => {
      expect(inspect(buildPdf({ prefix: '\x00\x05\x07junk\n' })).mediaType).toBe('application/pdf');
      expectRefused(buildPdf({ prefix: '<html><body>\n' }), 'material_type_unsupported', /HTML or XML/);
    });

    it('does not mistake image data for active content', () => {
      // Short names like /JS turn up by chance in compressed pixels; they count only where dictionaries are.
      const image = pdfStream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode', latin1('\xff\xd8/JS /XFA\x00\xff\xd9'), { raw: true });
      const pdf = buildPdf({ objects: [...onePage(), image] });
      expect(inspect(pdf).mediaType).toBe('application/pdf');
    });

    it.each([
      ['cut in half', (pdf: Buffer) => pdf.subarray(0, pdf.length >> 1), /%%EOF/],
      ['cut before its last line', (pdf: Buffer) => pdf.subarray(0, pdf.lastIndexOf('%%EOF')), /%%EOF/],
      ['without startxref', (pdf: Buffer) => latin1(pdf.toString('latin1').replace(/startxref\n\d+\n/, '')), /startxref/],
      ['with startxref past the end', (pdf: Buffer) => latin1(pdf.toString('latin1').replace(/startxref\n\d+/, 'startxref\n999999')), /outside the file/],
      ['with startxref pointing elsewhere', (pdf: Buffer) => latin1(pdf.toString('latin1').replace(/startxref\n(\d+)/, (_, n: string) => `startxref\n${Number(n) - 7}`)), /cross-reference/],
      ['with an unknown version', (pdf: Buffer) => latin1(pdf.toString('latin1').replace('%PDF-1.7', '%PDF-1.9')), /version/],
      ['with a stream that never ends', (pdf: Buffer) => latin1(pdf.toString('latin1').replace(/endstream/g, 'endstrea_')), /cut off inside a stream/],
    ])('refuses a PDF %s', (_, damage, message) => {
      expectRefused(damage(buildPdf()), 'material_malformed', message);
    });

    it('refuses a PDF that holds no object', () => {
      const head = '%PDF-1.4\n';
      const pdf = `${head}xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n${head.length}\n%%EOF\n`;
      expectRefused(latin1(pdf), 'material_malformed', /no object/);
    });

    it('refuses a compressed stream that is not compressed data', () => {
      const broken = latin1('<< /Filter /FlateDecode /Length 8 >>\nstream\nnot zlib\nendstream');
      expectRefused(buildPdf({ objects: [...onePage(), broken] }), 'material_malformed', /does not decompress/);
    });

    it('refuses a decompression bomb', () => {
      const bomb = pdfStream('', Buffer.alloc(257 * 1024 * 1024));
      expectRefused(buildPdf({ objects: [...onePage(), bomb] }), 'material_too_large', /decompress to more than 256 MiB/);
    });

    describe('active content', () => {
      const js = '<< /S /JavaScript /JS (app.alert\\("hi"\\)) >>';

      it.each([
        ['an /OpenAction running JavaScript', buildPdf({ objects: [...onePage(' /OpenAction 5 0 R'), js] }), /JavaScript/],
        ['a launch action', buildPdf({ objects: [...onePage(' /OpenAction 5 0 R'), '<< /S /Launch /F (cmd.exe) >>'] }), /launch action/],
        ['embedded files', buildPdf({ objects: [...onePage(' /Names << /EmbeddedFiles 5 0 R >>'), '<< /Names [(a.exe) 6 0 R] >>'] }), /embedded files/],
        ['a name hidden behind # escapes', buildPdf({ objects: [...onePage(' /OpenAction 5 0 R'), '<< /S /Java#53cript /JS (x) >>'] }), /JavaScript \(\/JavaScript\)/],
        ['JavaScript in a compressed object stream', buildPdf({ version: '1.5', objects: onePage(' /OpenAction 5 0 R'), compressed: [js] }), /JavaScript/],
        ['an XFA form', buildPdf({ objects: [...onePage(' /AcroForm 5 0 R'), '<< /Fields [] /XFA 6 0 R >>', pdfStream('', '<xdp:xdp/>')] }), /XFA/],
        ['rich media', buildPdf({ objects: [...onePage(), '<< /Type /Annot /Subtype /RichMedia >>'] }), /rich media/],
      ])('refuses %s, naming why', (_, pdf, message) => {
        expectRefused(pdf, 'material_active_content', message);
      });

      it('refuses an object stream disguised as an image', () => {
        // A reader that resolves compressed objects needs only /N and /First: the /Subtype does not hide it.
        const data = '5 0 << /S /JS /JS (x) >>';
        const disguised = pdfStream('/Type /XObject /Subtype /Image /N 1 /First 4', data);
        expectRefused(buildPdf({ objects: [...onePage(), disguised] }), 'material_active_content', /JavaScript/);
      });

      it('refuses object streams it cannot read', () => {
        const lzw = latin1('<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 4 >>\nstream\n\x80\x0b\x60\x50\nendstream');
        expectRefused(buildPdf({ objects: [...onePage(), lzw] }), 'material_type_unsupported', /LZWDecode/);
      });
    });

    it('refuses an encrypted PDF', () => {
      const pdf = buildPdf({ objects: [...onePage(), '<< /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >>'], trailer: ' /Encrypt 5 0 R /ID [<00><00>]' });
      expectRefused(pdf, 'material_encrypted', /encrypted/);
    });
  });

  describe('PNG', () => {
    it('accepts a PNG that decodes', () => {
      expect(inspect(testPng())).toEqual({ mediaType: 'image/png' });
    });

    it('refuses a truncated PNG, one with a damaged chunk and one with bytes after its end', () => {
      const png = testPng();
      expectRefused(png.subarray(0, png.length - 20), 'material_malformed', /cut off/);
      expectRefused(png.subarray(0, 8), 'material_malformed', /cut off/);
      const damaged = Buffer.from(png);
      damaged[damaged.indexOf('IDAT') + 10] ^= 0xff;
      expectRefused(damaged, 'material_malformed', /does not decode/);
      expectRefused(Buffer.concat([png, latin1('PK\x03\x04 appended zip')]), 'material_malformed', /after its end/);
    });

    it('refuses sizes no scan has before decoding anything', () => {
      expectRefused(handmadePng(20_001, 10, new Uint8Array(10)), 'material_too_large', /20001 × 10/);
      // 64 megapixels claimed by a few bytes: refused from the header, nothing inflated.
      expectRefused(handmadePng(8000, 8000, new Uint8Array(10)), 'material_too_large', /64\.0 megapixels/);
      expectRefused(handmadePng(0, 10, new Uint8Array(10)), 'material_malformed', /0 × 10/);
    });

    it('refuses an interlaced PNG whose data inflates past its size', () => {
      expectRefused(handmadePng(100, 100, new Uint8Array(50 * 1024 * 1024), { interlaced: true }), 'material_too_large', /decompression bomb/);
    });

    it('refuses an image that also carries a PDF header', () => {
      const png = testPng();
      const iend = png.length - 12;
      const polyglot = Buffer.concat([png.subarray(0, 33), pngChunk('tEXt', latin1('Comment\x00%PDF-1.7')), png.subarray(33, iend), png.subarray(iend)]);
      expectRefused(polyglot, 'material_malformed', /PDF header/);
    });
  });

  describe('JPEG', () => {
    it('accepts a JPEG that decodes, trailers after its end included', () => {
      expect(inspect(testJpeg())).toEqual({ mediaType: 'image/jpeg' });
      expect(inspect(Buffer.concat([testJpeg(), latin1('SEFT phone trailer')])).mediaType).toBe('image/jpeg');
    });

    it('refuses a truncated JPEG', () => {
      const jpeg = testJpeg();
      expectRefused(jpeg.subarray(0, jpeg.length - 200), 'material_malformed', /does not decode/);
      expectRefused(jpeg.subarray(0, 3), 'material_malformed', /cut off/);
      expectRefused(jpeg.subarray(0, 40), 'material_malformed', /cut off/);
    });

    it('refuses sizes no scan has before decoding', () => {
      const jpeg = Buffer.from(testJpeg());
      const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
      jpeg.writeUInt16BE(8000, sof + 5); // height
      jpeg.writeUInt16BE(8000, sof + 7); // width
      expectRefused(jpeg, 'material_too_large', /megapixels/);
    });
  });
});
