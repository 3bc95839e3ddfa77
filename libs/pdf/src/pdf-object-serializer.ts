import { PdfRef, PdfStream, PdfString, type PdfObject } from './pdf-object';

/** Bytes a name writes as `#xx`: outside `!`..`~`, delimiters and `#` itself. */
const NAME_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (c < 0x21 || c > 0x7e || '()<>[]{}/%#'.includes(String.fromCharCode(c))) NAME_ESCAPE[c] = 1;

export function serializeName(name: string): string {
  let out = '/';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i) & 0xff;
    out += NAME_ESCAPE[c] ? `#${c.toString(16).padStart(2, '0').toUpperCase()}` : String.fromCharCode(c);
  }
  return out;
}

/** A number as PDF writes it: integers as they are, reals with up to 6 decimals and no exponent. */
export function serializeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} is not a PDF number`);
  if (Number.isInteger(n)) return String(n);
  const s = n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function serializeString(s: PdfString): string {
  const b = s.bytes;
  if (s.hex) return `<${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}>`;
  let out = '(';
  for (const c of b) {
    if (c === 0x28 || c === 0x29 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c > 0x7e) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `${out})`;
}

/**
 * An object in PDF syntax, as latin1 text (one char per byte). Streams are not written here (their
 * data is binary): the writer writes their dictionary with this, then the data.
 */
export function serializePdfObject(v: PdfObject): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return serializeNumber(v);
  if (typeof v === 'string') return serializeName(v);
  if (v instanceof PdfRef) return `${v.num} ${v.gen} R`;
  if (v instanceof PdfString) return serializeString(v);
  if (Array.isArray(v)) return `[${v.map(serializePdfObject).join(' ')}]`;
  if (v instanceof PdfStream) throw new TypeError('a stream is written by the writer, not inline');
  let out = '<<';
  for (const [k, val] of v) out += ` ${serializeName(k)} ${serializePdfObject(val)}`;
  return `${out} >>`;
}
