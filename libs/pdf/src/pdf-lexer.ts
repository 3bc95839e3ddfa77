import { PdfError } from './pdf-error';
import { PdfString } from './pdf-object';

/** PDF whitespace (ISO 32000-2 §7.2.3) and delimiters, by byte. */
const WHITE = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WHITE[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export const isPdfWhite = (c: number): boolean => WHITE[c] === 1;
/** A byte that ends a name, number or keyword. */
export const endsPdfToken = (c: number): boolean => WHITE[c] === 1 || DELIM[c] === 1;

export type PdfToken =
  | { kind: 'num'; value: number; int: boolean; start: number }
  | { kind: 'name'; value: string; start: number }
  | { kind: 'str'; value: PdfString; start: number }
  | { kind: 'kw'; value: string; start: number }
  | { kind: 'punct'; value: '[' | ']' | '<<' | '>>' | '{' | '}'; start: number }
  | { kind: 'eof'; start: number };


const ESCAPES: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Tokens of PDF syntax (objects and content streams alike) from a byte range. `pos` can be set
 * to jump (to an object's offset, past a stream's data). Strings record their span in the bytes
 * when `offsetBase` is given (the position of `bytes[0]` in the file), so a signature's /Contents
 * can be located.
 */
export class PdfLexer {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
    private readonly offsetBase: number | undefined = 0,
  ) {
    this.pos = start;
  }

  /** Skips whitespace and comments. */
  skipWhite(): void {
    const b = this.bytes;
    while (this.pos < this.end) {
      const c = b[this.pos];
      if (WHITE[c]) this.pos++;
      else if (c === 0x25) {
        while (this.pos < this.end && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
  }

  next(): PdfToken {
    this.skipWhite();
    const b = this.bytes;
    const start = this.pos;
    if (start >= this.end) return { kind: 'eof', start };
    const c = b[start];
    if (c === 0x2f) return { kind: 'name', value: this.readName(), start };
    if (c === 0x28) return { kind: 'str', value: this.readLiteral(), start };
    if (c === 0x3c) {
      if (b[start + 1] === 0x3c) {
        this.pos += 2;
        return { kind: 'punct', value: '<<', start };
      }
      return { kind: 'str', value: this.readHex(), start };
    }
    if (c === 0x3e) {
      if (b[start + 1] === 0x3e) {
        this.pos += 2;
        return { kind: 'punct', value: '>>', start };
      }
      throw new PdfError('pdf_malformed', `unexpected '>' at byte ${this.at(start)}`);
    }
    if (c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) {
      this.pos++;
      return { kind: 'punct', value: String.fromCharCode(c) as '[' | ']' | '{' | '}', start };
    }
    if (c === 0x29) throw new PdfError('pdf_malformed', `unexpected ')' at byte ${this.at(start)}`);
    let j = start;
    while (j < this.end && !endsPdfToken(b[j])) j++;
    this.pos = j;
    const word = latin1(b, start, j);
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(word)) return { kind: 'num', value: Number(word), int: /^[+-]?\d+$/.test(word), start };
    // Producers write `--5` or `5-` now and then; readers take the number.
    if (/^[+-]*(?:\d+\.?\d*|\.\d+)-?$/.test(word)) return { kind: 'num', value: Number(word.replace(/^[+-]*(?=[+-])/, '').replace(/-$/, '')) || 0, int: !word.includes('.'), start };
    return { kind: 'kw', value: word, start };
  }

  /** The next token without consuming it. */
  peek(): PdfToken {
    const at = this.pos;
    try {
      return this.next();
    } finally {
      this.pos = at;
    }
  }

  private at(i: number): number {
    return (this.offsetBase ?? 0) + i;
  }

  private readName(): string {
    const b = this.bytes;
    let j = this.pos + 1;
    let out = '';
    while (j < this.end && !endsPdfToken(b[j])) {
      const c = b[j];
      if (c === 0x23 && j + 2 < this.end + 0 && hexDigit(b[j + 1]) >= 0 && hexDigit(b[j + 2]) >= 0) {
        out += String.fromCharCode(hexDigit(b[j + 1]) * 16 + hexDigit(b[j + 2]));
        j += 3;
      } else {
        out += String.fromCharCode(c);
        j++;
      }
    }
    this.pos = j;
    return out;
  }

  private readLiteral(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    const out: number[] = [];
    let depth = 1;
    let j = start + 1;
    while (j < this.end) {
      const c = b[j];
      if (c === 0x5c) {
        const n = b[j + 1];
        if (n === undefined || j + 1 >= this.end) break;
        if (ESCAPES[n] !== undefined) {
          out.push(ESCAPES[n]);
          j += 2;
        } else if (n >= 0x30 && n <= 0x37) {
          let v = 0;
          let k = j + 1;
          while (k < j + 4 && k < this.end && b[k] >= 0x30 && b[k] <= 0x37) v = v * 8 + (b[k++] - 0x30);
          out.push(v & 0xff);
          j = k;
        } else if (n === 13) {
          j += b[j + 2] === 10 ? 3 : 2; // line continuation
        } else if (n === 10) {
          j += 2;
        } else {
          out.push(n); // an unknown escape: the backslash is ignored
          j += 2;
        }
      } else if (c === 0x28) {
        depth++;
        out.push(c);
        j++;
      } else if (c === 0x29) {
        if (--depth === 0) {
          this.pos = j + 1;
          return new PdfString(Uint8Array.from(out), false, this.span(start, j + 1));
        }
        out.push(c);
        j++;
      } else if (c === 13) {
        out.push(10); // an unescaped end of line is a line feed, whichever it was
        j += b[j + 1] === 10 ? 2 : 1;
      } else {
        out.push(c);
        j++;
      }
    }
    throw new PdfError('pdf_malformed', `unterminated string at byte ${this.at(start)}`);
  }

  private readHex(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    const close = b.indexOf(0x3e, start + 1);
    if (close < 0 || close >= this.end) throw new PdfError('pdf_malformed', `unterminated hex string at byte ${this.at(start)}`);
    const out = new Uint8Array((close - start) >> 1);
    let n = 0;
    let half = -1;
    for (let j = start + 1; j < close; j++) {
      const c = b[j];
      if (WHITE[c]) continue;
      const d = hexDigit(c);
      if (d < 0) throw new PdfError('pdf_malformed', `a hex string holds ${JSON.stringify(String.fromCharCode(c))} at byte ${this.at(j)}`);
      if (half < 0) half = d;
      else {
        out[n++] = (half << 4) | d;
        half = -1;
      }
    }
    if (half >= 0) out[n++] = half << 4; // an odd digit count: the last one is followed by 0
    this.pos = close + 1;
    return new PdfString(out.subarray(0, n), true, this.span(start, close + 1));
  }

  private span(start: number, end: number): [number, number] | undefined {
    return this.offsetBase === undefined ? undefined : [this.offsetBase + start, this.offsetBase + end];
  }
}

export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}
