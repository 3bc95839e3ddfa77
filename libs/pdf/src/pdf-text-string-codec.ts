import { PdfString } from './pdf-object';

/** PDFDocEncoding's bytes 0x18–0x1f and 0x80–0xad where they differ from Latin-1 (ISO 32000-2 Annex D). */
const PDF_DOC: Record<number, number> = {
  0x18: 0x02d8, 0x19: 0x02c7, 0x1a: 0x02c6, 0x1b: 0x02d9, 0x1c: 0x02dd, 0x1d: 0x02db, 0x1e: 0x02da, 0x1f: 0x02dc,
  0x80: 0x2022, 0x81: 0x2020, 0x82: 0x2021, 0x83: 0x2026, 0x84: 0x2014, 0x85: 0x2013, 0x86: 0x0192, 0x87: 0x2044,
  0x88: 0x2039, 0x89: 0x203a, 0x8a: 0x2212, 0x8b: 0x2030, 0x8c: 0x201e, 0x8d: 0x201c, 0x8e: 0x201d, 0x8f: 0x2018,
  0x90: 0x2019, 0x91: 0x201a, 0x92: 0x2122, 0x93: 0xfb01, 0x94: 0xfb02, 0x95: 0x0141, 0x96: 0x0152, 0x97: 0x0160,
  0x98: 0x0178, 0x99: 0x017d, 0x9a: 0x0131, 0x9b: 0x0142, 0x9c: 0x0153, 0x9d: 0x0161, 0x9e: 0x017e, 0xa0: 0x20ac,
};

/** A text string's characters: UTF-16BE after a BOM, UTF-8 after its BOM (PDF 2.0), else PDFDocEncoding. */
export function decodeTextString(s: PdfString): string {
  const b = s.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.alloc(b.length - 2);
    for (let i = 2; i + 1 < b.length; i += 2) {
      swapped[i - 2] = b[i + 1];
      swapped[i - 1] = b[i];
    }
    return swapped.subarray(0, (b.length - 2) & ~1).toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return Buffer.from(b.subarray(3)).toString('utf8');
  let out = '';
  for (const c of b) out += String.fromCharCode(PDF_DOC[c] ?? c);
  return out;
}

/** A text string as PDF writes it: printable ASCII as it is, anything else UTF-16BE with a BOM. */
export function encodeTextString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
  const le = Buffer.from(text, 'utf16le');
  const out = Buffer.alloc(le.length + 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i + 1 < le.length; i += 2) {
    out[i + 2] = le[i + 1];
    out[i + 3] = le[i];
  }
  return new PdfString(out);
}

/** A date as PDF writes it (ISO 32000-2 §7.9.4), in UTC: `D:YYYYMMDDHHmmSSZ`. */
export function pdfDate(d: Date): PdfString {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const s = `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return new PdfString(Buffer.from(s, 'latin1'));
}
