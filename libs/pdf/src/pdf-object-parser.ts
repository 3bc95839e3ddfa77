import { PdfError } from './pdf-error';
import { isPdfWhite, PdfLexer, type PdfToken } from './pdf-lexer';
import { PdfRef, PdfStream, type PdfDict, type PdfObject } from './pdf-object';

const MAX_DEPTH = 100;

export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfObject;
  /** Offset just past `endobj` (or past the value when `endobj` is missing). */
  end: number;
}

/**
 * Objects from PDF syntax: the value at the lexer's position (`parse`), or the indirect object
 * `n g obj … endobj` at an offset, its stream data located by /Length — direct, or indirect and
 * resolved through `resolveLength` — and checked against `endstream`.
 */
export class PdfObjectParser {
  constructor(
    readonly bytes: Uint8Array,
    private readonly resolveLength: (ref: PdfRef) => PdfObject = () => null,
  ) {}

  /** The value at the lexer's position. */
  parse(lexer: PdfLexer, depth = 0): PdfObject {
    return this.value(lexer, lexer.next(), depth);
  }

  /** The indirect object whose header starts at `offset` (whitespace before it tolerated). */
  parseIndirect(offset: number): IndirectObject {
    const lx = new PdfLexer(this.bytes, offset);
    const n = lx.next();
    const g = lx.next();
    const obj = lx.next();
    if (n.kind !== 'num' || !n.int || g.kind !== 'num' || !g.int || obj.kind !== 'kw' || obj.value !== 'obj') {
      throw new PdfError('pdf_malformed', `no object header (n g obj) at byte ${offset}`);
    }
    let value = this.parse(lx);
    const afterValue = lx.pos;
    const t = this.keywordAfter(lx);
    if (t === 'stream') {
      if (!(value instanceof Map)) throw new PdfError('pdf_malformed', `object ${n.value} has a stream without a dictionary`);
      value = this.stream(value, lx, n.value);
      const afterStream = lx.pos;
      return { num: n.value, gen: g.value, value, end: this.keywordAfter(lx) === 'endobj' ? lx.pos : afterStream };
    }
    return { num: n.value, gen: g.value, value, end: t === 'endobj' ? lx.pos : afterValue };
  }

  /** The keyword after an object's value (`stream`, `endobj`), or undefined for anything else — readers tolerate a missing endobj. */
  private keywordAfter(lx: PdfLexer): string | undefined {
    try {
      const t = lx.next();
      return t.kind === 'kw' ? t.value : undefined;
    } catch {
      return undefined;
    }
  }

  private stream(dict: PdfDict, lx: PdfLexer, num: number): PdfStream {
    const b = this.bytes;
    // `stream` is followed by CRLF or LF (a lone CR, or spaces before the EOL, are tolerated).
    let start = lx.pos;
    while (b[start] === 0x20) start++;
    if (b[start] === 13) start += b[start + 1] === 10 ? 2 : 1;
    else if (b[start] === 10) start++;
    let length = dict.get('Length');
    if (length instanceof PdfRef) length = this.resolveLength(length);
    let end = -1;
    if (typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 && start + length <= b.length && endstreamAt(b, start + length)) {
      end = start + length;
    } else {
      // A wrong /Length: readers look for endstream instead, as we do.
      const at = indexOfAscii(b, 'endstream', start);
      if (at < 0) throw new PdfError('pdf_malformed', `object ${num}'s stream has no endstream`);
      end = at;
      if (b[end - 1] === 10) end--;
      if (b[end - 1] === 13) end--;
    }
    lx.pos = end;
    const kw = lx.next();
    if (kw.kind !== 'kw' || kw.value !== 'endstream') throw new PdfError('pdf_malformed', `object ${num}'s stream has no endstream`);
    return new PdfStream(dict, b.subarray(start, end));
  }

  private value(lx: PdfLexer, t: PdfToken, depth: number): PdfObject {
    if (depth > MAX_DEPTH) throw new PdfError('pdf_malformed', 'objects nest too deeply');
    switch (t.kind) {
      case 'num': {
        if (t.int && t.value >= 0) {
          const at = lx.pos;
          const g = lx.next();
          if (g.kind === 'num' && g.int && g.value >= 0) {
            const r = lx.next();
            if (r.kind === 'kw' && r.value === 'R') return new PdfRef(t.value, g.value);
          }
          lx.pos = at;
        }
        return t.value;
      }
      case 'name':
        return t.value;
      case 'str':
        return t.value;
      case 'kw':
        if (t.value === 'true') return true;
        if (t.value === 'false') return false;
        if (t.value === 'null') return null;
        throw new PdfError('pdf_malformed', `unexpected ${JSON.stringify(t.value)} at byte ${t.start}`);
      case 'punct': {
        if (t.value === '[') {
          const arr: PdfObject[] = [];
          for (;;) {
            const n = lx.next();
            if (n.kind === 'punct' && n.value === ']') return arr;
            if (n.kind === 'eof') throw new PdfError('pdf_malformed', 'an array is not closed');
            arr.push(this.value(lx, n, depth + 1));
          }
        }
        if (t.value === '<<') {
          const dict: PdfDict = new Map();
          for (;;) {
            const k = lx.next();
            if (k.kind === 'punct' && k.value === '>>') return dict;
            if (k.kind !== 'name') throw new PdfError('pdf_malformed', `a dictionary key is not a name at byte ${k.start}`);
            const v = this.value(lx, lx.next(), depth + 1);
            // A null value is the same as the key being absent (ISO 32000-2 §7.3.7).
            if (v !== null) dict.set(k.value, v);
          }
        }
        throw new PdfError('pdf_malformed', `unexpected '${t.value}' at byte ${t.start}`);
      }
      case 'eof':
        throw new PdfError('pdf_malformed', 'the PDF ends inside an object');
    }
  }
}

/** Whether `endstream` follows at `i` (after optional end-of-line whitespace). */
function endstreamAt(b: Uint8Array, i: number): boolean {
  let j = i;
  while (j < i + 4 && j < b.length && isPdfWhite(b[j])) j++;
  return startsWithAscii(b, j, 'endstream');
}

export function startsWithAscii(b: Uint8Array, at: number, s: string): boolean {
  if (at < 0 || at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

export function indexOfAscii(b: Uint8Array, s: string, from = 0): number {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(s, from, 'latin1');
}

export function lastIndexOfAscii(b: Uint8Array, s: string, from?: number): number {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).lastIndexOf(s, from, 'latin1');
}
