/**
 * Test PDFs made on the spot, written by hand with correct cross-reference offsets: a classic
 * table, an xref stream with the catalog, page tree and pages in an object stream, or a hybrid
 * file (table plus /XRefStm). Pages take a MediaBox, CropBox, Rotate and content; fonts for text
 * are Helvetica, or CJK fonts with a ToUnicode CMap (Identity-H) or a predefined CMap
 * (UniGB-UCS2-H). Seal PNGs by pngjs.
 */
import { deflateSync } from 'node:zlib';
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

export interface TestPage {
  mediaBox?: number[];
  cropBox?: number[];
  rotate?: number;
  /** The content stream (omitted: a page without /Contents). */
  content?: string;
  /** Write the content stream uncompressed. */
  rawContent?: boolean;
  /** Font resources: name → object body (e.g. `helvetica()`), each its own object. */
  fonts?: Record<string, Part[] | Part>;
  /** More page entries, e.g. `/Annots [9 0 R]`. */
  extra?: string;
}

export interface TestPdfSpec {
  pages?: TestPage[];
  /** A MediaBox on the page tree root, inherited by pages without one. */
  rootMediaBox?: number[];
  xref?: 'table' | 'stream' | 'hybrid';
  /** More trailer entries, e.g. `/Encrypt 99 0 R`. */
  trailer?: string;
  catalogExtra?: string;
  /** Objects after the generated ones (numbered from `extraFrom()`). */
  extraObjects?: Part[];
}

/** Grey box with a frame: something on the page, not red. */
export const GREY_CONTENT = '0.85 g 40 40 200 120 re f 0 G 1 w 30 30 m 300 30 l S';
export const A4: number[] = [0, 0, 595.28, 841.89];

/** A Helvetica font dictionary. */
export const helvetica = () => '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';

/** A text showing `text` (Latin-1) at x, y in Helvetica (resource /F1) at size. */
export const latinText = (text: string, x: number, y: number, size = 12) => `BT /F1 ${size} Tf ${x} ${y} Td (${text.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`;

/**
 * A Type0 font (resource /F1 by convention) with a CIDFontType2 descendant, Identity-H encoding
 * and a ToUnicode CMap: codes are glyph ids, as producers write subset TrueType fonts. The font
 * program is not embedded (text extraction reads ToUnicode; renderers substitute).
 */
export function cjkIdentityFont(glyphs: Map<string, number>): Part[] {
  const entries = [...glyphs].map(([ch, gid]) => `<${hex4(gid)}> <${Buffer.from(ch, 'utf16le').swap16().toString('hex')}>`);
  const cmap = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    `${entries.length} beginbfchar`,
    ...entries,
    'endbfchar endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
  // Objects: font (this one), descendant (+1), descriptor (+2), ToUnicode (+3): numbered by the builder.
  return [
    '<< /Type /Font /Subtype /Type0 /BaseFont /NotoSerifSC-Bold /Encoding /Identity-H /DescendantFonts [{+1} 0 R] /ToUnicode {+3} 0 R >>',
    '<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSerifSC-Bold /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {+2} 0 R /DW 1000 /CIDToGIDMap /Identity >>',
    '<< /Type /FontDescriptor /FontName /NotoSerifSC-Bold /Flags 6 /FontBBox [-300 -300 1300 1000] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 120 >>',
    pdfStream('', cmap),
  ];
}

/** A Type0 font with the predefined CMap UniGB-UCS2-H (codes are UCS-2), no ToUnicode: readers need the CMap files. */
export function cjkPredefinedCmapFont(): Part[] {
  return [
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [{+1} 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor {+2} 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** Text in a two-byte font: `codes` are the 2-byte codes (glyph ids or UCS-2). */
export const cjkText = (codes: number[], x: number, y: number, size = 12) => `BT /F1 ${size} Tf ${x} ${y} Td <${codes.map(hex4).join('')}> Tj ET`;

/**
 * A PDF with the given pages. Objects: 1 catalog, 2 page tree, then per page its page object,
 * content stream and fonts; in an xref stream file the catalog, tree and pages go into an object
 * stream.
 */
export function buildTestPdf(spec: TestPdfSpec = {}): Buffer {
  const pages = spec.pages ?? [{ mediaBox: A4, content: GREY_CONTENT }];
  const xref = spec.xref ?? 'table';
  const bodies: Part[] = [];
  const compressible = new Set<number>();
  const add = (p: Part, canCompress = false) => {
    bodies.push(p);
    if (canCompress) compressible.add(bodies.length);
    return bodies.length;
  };
  add(`<< /Type /Catalog /Pages 2 0 R${spec.catalogExtra ?? ''} >>`, true);
  add('', true); // the page tree, once the kids are known
  const kids: number[] = [];
  for (const p of pages) {
    const pageNum = add('', true);
    kids.push(pageNum);
    const contentNum = p.content === undefined ? undefined : add(pdfStream('', p.content, { raw: p.rawContent }));
    const fontRefs: string[] = [];
    for (const [name, body] of Object.entries(p.fonts ?? {})) {
      const parts = Array.isArray(body) ? body : [body];
      const first = bodies.length + 1;
      parts.forEach((part, i) => {
        const fixed = typeof part === 'string' ? part.replace(/\{\+(\d)\}/g, (_, d: string) => String(first + Number(d))) : part;
        add(fixed, typeof part === 'string' && i !== 3);
      });
      fontRefs.push(`/${name} ${first} 0 R`);
    }
    const entries = [
      '/Type /Page /Parent 2 0 R',
      p.mediaBox ? `/MediaBox [${p.mediaBox.join(' ')}]` : '',
      p.cropBox ? `/CropBox [${p.cropBox.join(' ')}]` : '',
      p.rotate !== undefined ? `/Rotate ${p.rotate}` : '',
      contentNum ? `/Contents ${contentNum} 0 R` : '',
      `/Resources << /ProcSet [/PDF /Text]${fontRefs.length ? ` /Font << ${fontRefs.join(' ')} >>` : ''} >>`,
      p.extra ?? '',
    ];
    bodies[pageNum - 1] = `<< ${entries.filter(Boolean).join(' ')} >>`;
  }
  bodies[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length}${spec.rootMediaBox ? ` /MediaBox [${spec.rootMediaBox.join(' ')}]` : ''} >>`;
  for (const e of spec.extraObjects ?? []) add(e);
  return assemble(bodies, xref === 'table' ? new Set() : compressible, xref, spec.trailer ?? '');
}

function assemble(bodies: Part[], compressed: Set<number>, xref: 'table' | 'stream' | 'hybrid', trailerExtra: string): Buffer {
  const parts: Buffer[] = [bytesOf('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let size = parts[0].length;
  const offsets: number[] = [];
  const push = (b: Buffer) => {
    parts.push(b);
    size += b.length;
  };
  const writeObject = (num: number, body: Part) => {
    offsets[num] = size;
    push(Buffer.concat([bytesOf(`${num} 0 obj\n`), bytesOf(body), bytesOf('\nendobj\n')]));
  };
  bodies.forEach((b, i) => {
    if (!compressed.has(i + 1)) writeObject(i + 1, b);
  });
  const objStm = bodies.length + 1;
  const inStream = [...compressed].sort((a, b) => a - b);
  if (inStream.length) {
    let table = '';
    let data = '';
    for (const n of inStream) {
      table += `${n} ${data.length} `;
      data += `${bytesOf(bodies[n - 1]).toString('latin1')}\n`;
    }
    writeObject(objStm, pdfStream(`/Type /ObjStm /N ${inStream.length} /First ${table.length}`, table + data));
  }
  const count = inStream.length ? objStm + 1 : bodies.length + 1;
  const row = (type: number, a: number, b: number) => {
    const r = Buffer.alloc(7);
    r[0] = type;
    r.writeUInt32BE(a, 1);
    r.writeUInt16BE(b, 5);
    return r;
  };
  if (xref === 'stream') {
    const xrefNum = count;
    offsets[xrefNum] = size;
    const rows = [row(0, 0, 0xffff)];
    for (let n = 1; n < xrefNum; n++) rows.push(compressed.has(n) ? row(2, objStm, inStream.indexOf(n)) : row(1, offsets[n], 0));
    rows.push(row(1, offsets[xrefNum], 0));
    writeObject(xrefNum, pdfStream(`/Type /XRef /Size ${xrefNum + 1} /W [1 4 2] /Root 1 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]${trailerExtra}`, Buffer.concat(rows)));
    push(bytesOf(`startxref\n${offsets[xrefNum]}\n%%EOF\n`));
    return Buffer.concat(parts);
  }
  let xrefStm = '';
  let total = count;
  if (xref === 'hybrid') {
    // The compressed objects are listed only in the xref stream, which the table's trailer names.
    const xrefNum = count;
    total = count + 1;
    offsets[xrefNum] = size;
    const rows = inStream.map((n) => row(2, objStm, inStream.indexOf(n)));
    const index = inStream.flatMap((n) => [n, 1]);
    writeObject(xrefNum, pdfStream(`/Type /XRef /Size ${total} /W [1 4 2] /Index [${index.join(' ')}]`, Buffer.concat(rows)));
    xrefStm = ` /XRefStm ${offsets[xrefNum]}`;
  }
  const at = size;
  let table = `xref\n0 ${total}\n0000000000 65535 f \n`;
  for (let n = 1; n < total; n++) {
    table += offsets[n] !== undefined ? `${String(offsets[n]).padStart(10, '0')} 00000 n \n` : '0000000000 00000 f \n';
  }
  push(bytesOf(`${table}trailer\n<< /Size ${total} /Root 1 0 R${xrefStm}${trailerExtra} >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/**
 * An RGBA seal picture: a filled disc on a transparent background, `left` colour on its left half
 * and `right` on the right (both red by default), so a slice shows which half it is.
 */
export function sealPng(size = 120, left: [number, number, number] = [220, 20, 30], right: [number, number, number] = left): Buffer {
  const png = new PNG({ width: size, height: size });
  const r = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const inside = (x + 0.5 - r) ** 2 + (y + 0.5 - r) ** 2 <= r * r;
      const c = x < size / 2 ? left : right;
      png.data[i] = c[0];
      png.data[i + 1] = c[1];
      png.data[i + 2] = c[2];
      png.data[i + 3] = inside ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}

/** A fully opaque red square, marked in its top-left quarter with blue: shows which way up it is. */
export function orientedPng(size = 80): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const marked = x < size / 2 && y < size / 2;
      png.data[i] = marked ? 20 : 220;
      png.data[i + 1] = 20;
      png.data[i + 2] = marked ? 220 : 30;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** A DER-shaped dummy CMS: SEQUENCE { OCTET STRING of `size` - 8 bytes }. */
export function dummyCms(size = 2000): Buffer {
  const inner = Buffer.alloc(size - 8, 0xab);
  const octet = Buffer.concat([Buffer.from([0x04, 0x82, inner.length >> 8, inner.length & 0xff]), inner]);
  return Buffer.concat([Buffer.from([0x30, 0x82, octet.length >> 8, octet.length & 0xff]), octet]);
}
