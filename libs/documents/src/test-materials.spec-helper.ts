/**
 * Test materials made on the spot (no binary fixtures): PDFs written by hand with correct
 * cross-reference offsets (a classic xref table, or an xref stream with compressed objects),
 * PNGs encoded by pngjs and JPEGs by jpeg-js.
 */
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

const { PNG } = pngjs;

type Part = string | Uint8Array;

const bytesOf = (p: Part): Buffer => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p));

/** A stream object body: `<< dict /Length n >>` + data, Flate-compressed unless `raw`. */
export function pdfStream(dict: string, data: Part, opts: { raw?: boolean } = {}): Buffer {
  const body = opts.raw ? bytesOf(data) : deflateSync(bytesOf(data));
  const filter = opts.raw ? '' : ' /Filter /FlateDecode';
  return Buffer.concat([bytesOf(`<< ${dict}${filter} /Length ${body.length} >>\nstream\n`), body, bytesOf('\nendstream')]);
}

export interface PdfSpec {
  version?: string;
  /** Bytes before the %PDF- header. */
  prefix?: string;
  /** Bodies of objects 1, 2, …; object 1 is the catalog. Default: one empty A4 page. */
  objects?: Part[];
  /** Bodies of further objects kept compressed in one object stream (needs `xref: 'stream'`). */
  compressed?: string[];
  xref?: 'table' | 'stream';
  /** More trailer entries, e.g. `/Encrypt 9 0 R`. */
  trailer?: string;
}

/** One empty A4 page with a little content, as objects 1–4. */
export function onePage(catalogExtra = ''): Part[] {
  return [
    `<< /Type /Catalog /Pages 2 0 R${catalogExtra} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    pdfStream('', '0.9 g 50 50 495 742 re f'),
  ];
}

/** A PDF whose startxref and cross-reference entries give every object's true offset. */
export function buildPdf(spec: PdfSpec = {}): Buffer {
  const objects = spec.objects ?? onePage();
  const compressed = spec.compressed ?? [];
  const xref = spec.xref ?? (compressed.length ? 'stream' : 'table');
  if (compressed.length && xref !== 'stream') throw new Error('compressed objects need an xref stream');
  const parts: Buffer[] = [bytesOf(`${spec.prefix ?? ''}%PDF-${spec.version ?? '1.7'}\n%\xe2\xe3\xcf\xd3\n`)];
  const offsets: number[] = [];
  // Offsets count from the header, as readers count them when junk precedes it.
  const base = bytesOf(spec.prefix ?? '').length;
  const size = () => parts.reduce((n, p) => n + p.length, 0) - base;
  const addObject = (num: number, body: Part) => {
    offsets[num] = size();
    parts.push(bytesOf(`${num} 0 obj\n`), bytesOf(body), bytesOf('\nendobj\n'));
  };
  objects.forEach((body, i) => addObject(i + 1, body));

  const first = objects.length + 1;
  const objStmNum = first + compressed.length;
  if (compressed.length) {
    let table = '';
    let data = '';
    compressed.forEach((body, i) => {
      table += `${first + i} ${data.length} `;
      data += `${body}\n`;
    });
    addObject(objStmNum, pdfStream(`/Type /ObjStm /N ${compressed.length} /First ${table.length}`, table + data));
  }

  if (xref === 'table') {
    const count = objects.length + 1;
    const at = size();
    const rows = Array.from({ length: count - 1 }, (_, i) => `${String(offsets[i + 1]).padStart(10, '0')} 00000 n \n`).join('');
    parts.push(bytesOf(`xref\n0 ${count}\n0000000000 65535 f \n${rows}trailer\n<< /Size ${count} /Root 1 0 R${spec.trailer ?? ''} >>\nstartxref\n${at}\n%%EOF\n`));
  } else {
    const xrefNum = compressed.length ? objStmNum + 1 : objects.length + 1;
    const count = xrefNum + 1;
    offsets[xrefNum] = size();
    // W [1 4 2]: type, offset (or object stream number), generation (or index in the stream).
    const row = (type: number, a: number, b: number) => {
      const r = Buffer.alloc(7);
      r[0] = type;
      r.writeUInt32BE(a, 1);
      r.writeUInt16BE(b, 5);
      return r;
    };
    const rows = [row(0, 0, 0xffff)];
    for (let n = 1; n < count; n++) {
      if (n >= first && n < first + compressed.length) rows.push(row(2, objStmNum, n - first));
      else rows.push(row(1, offsets[n], 0));
    }
    addObject(xrefNum, pdfStream(`/Type /XRef /Size ${count} /W [1 4 2] /Root 1 0 R${spec.trailer ?? ''}`, Buffer.concat(rows)));
    parts.push(bytesOf(`startxref\n${offsets[xrefNum]}\n%%EOF\n`));
  }
  return Buffer.concat(parts);
}

/** A deterministic RGBA gradient. */
function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 128;
      data[i + 3] = 255;
    }
  }
  return data;
}

export function testPng(width = 32, height = 24): Buffer {
  const png = new PNG({ width, height });
  png.data = pixels(width, height);
  return PNG.sync.write(png);
}

export function testJpeg(width = 32, height = 24): Buffer {
  return jpeg.encode({ width, height, data: pixels(width, height) }, 85).data;
}

/** A PNG chunk with its length and CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose header says `width` × `height` and whose image data is `idat` (inflated), correctly framed. */
export function handmadePng(width: number, height: number, inflated: Uint8Array, opts: { interlaced?: boolean } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[12] = opts.interlaced ? 1 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(inflated, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
