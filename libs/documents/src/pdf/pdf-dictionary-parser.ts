/**
 * Just enough of the PDF object syntax (ISO 32000-2 §7.3) to read a stream's dictionary: its
 * /Type, /Subtype, /Filter, /DecodeParms and /Length. Names come back decoded (`/Java#53cript` is
 * `JavaScript`), since a check that compared raw bytes would be fooled by the escape.
 */
export type PdfValue = number | boolean | null | string | PdfRef | PdfOpaque | PdfValue[] | PdfDictionary;
/** Names are plain strings (without the slash); dictionaries are maps from name to value. */
export type PdfDictionary = Map<string, PdfValue>;
export interface PdfRef {
  ref: [number, number];
}
/** A string or keyword: the checks never need their content. */
export interface PdfOpaque {
  opaque: string;
}

const WHITESPACE = new Set(['\0', '\t', '\n', '\f', '\r', ' ']);
const DELIMITERS = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);
const MAX_DEPTH = 32;

type Token = { t: 'dict<' } | { t: 'dict>' } | { t: '[' } | { t: ']' } | { t: 'name'; v: string } | { t: 'num'; v: number } | { t: 'word'; v: string } | { t: 'str' };

/** Decodes the `#hh` escapes of a name's characters (without the leading slash). */
export function decodePdfName(raw: string): string {
  return raw.includes('#') ? raw.replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : raw;
}

/** The dictionary `<< … >>` at the start of `text` (latin1), or undefined if it is not one. */
export function parsePdfDictionary(text: string): PdfDictionary | undefined {
  try {
    const tokens = tokenize(text);
    const at = { i: 0 };
    const v = parseValue(tokens, at, 0);
    return v instanceof Map ? v : undefined;
  } catch {
    return undefined;
  }
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (WHITESPACE.has(c)) {
      i++;
    } else if (c === '%') {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (c === '<' && s[i + 1] === '<') {
      out.push({ t: 'dict<' });
      i += 2;
    } else if (c === '>' && s[i + 1] === '>') {
      out.push({ t: 'dict>' });
      i += 2;
    } else if (c === '[' || c === ']') {
      out.push({ t: c });
      i++;
    } else if (c === '<') {
      const end = s.indexOf('>', i);
      if (end < 0) throw new Error('unterminated hex string');
      out.push({ t: 'str' });
      i = end + 1;
    } else if (c === '(') {
      i = skipLiteralString(s, i);
      out.push({ t: 'str' });
    } else if (c === '/') {
      let j = i + 1;
      while (j < s.length && !WHITESPACE.has(s[j]) && !DELIMITERS.has(s[j])) j++;
      out.push({ t: 'name', v: decodePdfName(s.slice(i + 1, j)) });
      i = j;
    } else {
      let j = i;
      while (j < s.length && !WHITESPACE.has(s[j]) && !DELIMITERS.has(s[j])) j++;
      if (j === i) throw new Error(`unexpected ${JSON.stringify(c)}`);
      const word = s.slice(i, j);
      out.push(/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) ? { t: 'num', v: Number(word) } : { t: 'word', v: word });
      i = j;
    }
  }
  return out;
}

/** Index after the literal string starting at `i` (balanced parentheses, backslash escapes). */
function skipLiteralString(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  throw new Error('unterminated string');
}

function parseValue(tokens: Token[], at: { i: number }, depth: number): PdfValue {
  if (depth > MAX_DEPTH) throw new Error('nested too deeply');
  const tok = tokens[at.i++];
  if (!tok) throw new Error('unexpected end');
  switch (tok.t) {
    case 'name':
      return tok.v;
    case 'num': {
      const [g, r] = [tokens[at.i], tokens[at.i + 1]];
      if (g?.t === 'num' && r?.t === 'word' && r.v === 'R') {
        at.i += 2;
        return { ref: [tok.v, g.v] };
      }
      return tok.v;
    }
    case 'word':
      return tok.v === 'true' ? true : tok.v === 'false' ? false : tok.v === 'null' ? null : { opaque: tok.v };
    case 'str':
      return { opaque: 'string' };
    case '[': {
      const arr: PdfValue[] = [];
      while (tokens[at.i]?.t !== ']') {
        if (at.i >= tokens.length) throw new Error('unterminated array');
        arr.push(parseValue(tokens, at, depth + 1));
      }
      at.i++;
      return arr;
    }
    case 'dict<': {
      const dict: PdfDictionary = new Map();
      while (tokens[at.i]?.t !== 'dict>') {
        const key = tokens[at.i++];
        if (key?.t !== 'name') throw new Error('dictionary key is not a name');
        dict.set(key.v, parseValue(tokens, at, depth + 1));
      }
      at.i++;
      return dict;
    }
    default:
      throw new Error(`unexpected ${tok.t}`);
  }
}
