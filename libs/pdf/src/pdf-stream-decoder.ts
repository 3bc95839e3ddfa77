import { constants, inflateSync } from 'node:zlib';

/**
 * A stream dictionary as either PDF reader sees it: this library's object model, or the content
 * checks' lighter one in @ecert/documents. Names are strings; arrays and dictionaries are read.
 */
export type StreamDictionary = ReadonlyMap<string, unknown>;

/** Why a stream could not be decoded: a filter the check does not read, broken data, or too much of it. */
export class PdfStreamDecodeError extends Error {
  constructor(
    readonly kind: 'unsupported' | 'malformed' | 'budget',
    message: string,
  ) {
    super(message);
  }
}

/** How many decoded bytes all streams of one PDF may add up to: a cap on decompression bombs. */
export interface DecodeBudget {
  remaining: number;
}

const ABBREVIATIONS: Record<string, string> = { Fl: 'FlateDecode', AHx: 'ASCIIHexDecode', A85: 'ASCII85Decode' };
const MAX_FILTERS = 3;

/** Every filter's output counts against the one budget (ASCII85's `z` alone makes 4 bytes of 1). */
function charge(budget: DecodeBudget, bytes: number): void {
  if (bytes > budget.remaining) throw new PdfStreamDecodeError('budget', 'streams decompress to more than the check allows');
  budget.remaining -= bytes;
}

/**
 * A stream's data after its filters: FlateDecode (with PNG predictors), ASCIIHexDecode and
 * ASCII85Decode — what producers use for the streams that can hold dictionaries (object streams)
 * and for fonts, content and metadata. Anything else is `unsupported`: a stream the check cannot
 * read could hide what it looks for.
 */
export function decodePdfStream(data: Uint8Array, dict: StreamDictionary, budget: DecodeBudget): Uint8Array {
  // Only the full key names: in a stream dictionary /F is an external file, not a filter.
  const filters = asArray(dict.get('Filter'));
  const parms = asArray(dict.get('DecodeParms'));
  // Producers chain at most an ASCII filter and Flate; long chains only multiply a bomb.
  if (filters.length > MAX_FILTERS) throw new PdfStreamDecodeError('unsupported', `a stream chains ${filters.length} filters (at most ${MAX_FILTERS} are read)`);
  let out = data;
  filters.forEach((f, n) => {
    const filter = typeof f === 'string' ? (ABBREVIATIONS[f] ?? f) : undefined;
    const p = parms[n] instanceof Map ? (parms[n] as StreamDictionary) : undefined;
    if (filter === 'FlateDecode') out = unpredict(inflate(out, budget), p);
    else if (filter === 'ASCIIHexDecode') out = asciiHex(out, budget);
    else if (filter === 'ASCII85Decode') out = ascii85(out, budget);
    else throw new PdfStreamDecodeError('unsupported', `a stream uses the filter ${typeof f === 'string' ? f : JSON.stringify(f)}`);
  });
  return out;
}

function asArray(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function inflate(data: Uint8Array, budget: DecodeBudget): Uint8Array {
  if (budget.remaining < 1) throw new PdfStreamDecodeError('budget', 'streams decompress to more than the check allows');
  try {
    // SYNC_FLUSH: a stream whose zlib trailer is missing still decodes, as readers accept it.
    const out = inflateSync(data, { maxOutputLength: budget.remaining, finishFlush: constants.Z_SYNC_FLUSH });
    budget.remaining -= out.byteLength;
    return out;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new PdfStreamDecodeError('budget', 'streams decompress to more than the check allows');
    }
    throw new PdfStreamDecodeError('malformed', `a compressed stream does not decompress (${(err as Error).message})`);
  }
}

function num(p: StreamDictionary | undefined, key: string, fallback: number): number {
  const v = p?.get(key);
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Undoes a PNG predictor (Predictor 10–15: a filter-type byte before each row) or the TIFF one (2, 8-bit components). */
function unpredict(data: Uint8Array, p: StreamDictionary | undefined): Uint8Array {
  const predictor = num(p, 'Predictor', 1);
  if (predictor === 1) return data;
  const colors = num(p, 'Colors', 1);
  const bits = num(p, 'BitsPerComponent', 8);
  const columns = num(p, 'Columns', 1);
  if (predictor === 2 && bits === 8) return untiff(data, colors, columns);
  if (predictor < 10 || predictor > 15) throw new PdfStreamDecodeError('unsupported', `a stream uses predictor ${predictor}${predictor === 2 ? ` with ${bits}-bit components` : ''}`);
  const bpp = Math.max(1, Math.ceil((colors * bits) / 8));
  const rowBytes = Math.ceil((colors * bits * columns) / 8);
  const rows = Math.floor(data.length / (rowBytes + 1));
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowBytes + 1)];
    const src = r * (rowBytes + 1) + 1;
    const dst = r * rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const raw = data[src + x];
      const left = x >= bpp ? out[dst + x - bpp] : 0;
      const up = r > 0 ? out[dst - rowBytes + x] : 0;
      const upLeft = r > 0 && x >= bpp ? out[dst - rowBytes + x - bpp] : 0;
      let v: number;
      if (type === 0) v = raw;
      else if (type === 1) v = raw + left;
      else if (type === 2) v = raw + up;
      else if (type === 3) v = raw + ((left + up) >> 1);
      else if (type === 4) v = raw + paeth(left, up, upLeft);
      else throw new PdfStreamDecodeError('malformed', `a predicted stream has row filter ${type}`);
      out[dst + x] = v & 0xff;
    }
  }
  return out;
}

/** TIFF predictor 2 (8-bit components): each component is the difference from the one a pixel to its left. */
function untiff(data: Uint8Array, colors: number, columns: number): Uint8Array {
  const out = Uint8Array.from(data);
  const rowBytes = colors * columns;
  for (let row = 0; row + rowBytes <= out.length; row += rowBytes) {
    for (let x = colors; x < rowBytes; x++) out[row + x] = (out[row + x] + out[row + x - colors]) & 0xff;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function isWhite(c: number): boolean {
  return c === 0 || c === 9 || c === 10 || c === 12 || c === 13 || c === 32;
}

function asciiHex(data: Uint8Array, budget: DecodeBudget): Uint8Array {
  let digits = 0;
  for (const c of data) {
    if (c === 0x3e) break;
    if (!isWhite(c)) digits++;
  }
  const out = new Uint8Array(Math.ceil(digits / 2));
  charge(budget, out.length);
  let k = 0;
  for (const c of data) {
    if (c === 0x3e) break;
    if (isWhite(c)) continue;
    const d = hexValue(c);
    if (d < 0) throw new PdfStreamDecodeError('malformed', 'an ASCIIHexDecode stream holds a non-hex character');
    out[k >> 1] |= k % 2 === 0 ? d << 4 : d;
    k++;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** The exact decoded length first (charged to the budget), then into a buffer of that size: no growing arrays. */
function ascii85(data: Uint8Array, budget: DecodeBudget): Uint8Array {
  let size = 0;
  let pending = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (isWhite(c)) continue;
    if (c === 0x7e) break;
    if (c === 0x7a && pending === 0) {
      size += 4;
      continue;
    }
    if (c < 0x21 || c > 0x75) throw new PdfStreamDecodeError('malformed', 'an ASCII85Decode stream holds a character outside !..u');
    if (++pending === 5) {
      size += 4;
      pending = 0;
    }
  }
  if (pending === 1) throw new PdfStreamDecodeError('malformed', 'an ASCII85Decode stream ends with a lone character');
  if (pending) size += pending - 1;
  charge(budget, size);
  const out = new Uint8Array(size);
  let o = 0;
  const group: number[] = [];
  const flush = (n: number) => {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 85 + (group[i] ?? 84);
    for (let i = 0; i < n; i++) out[o++] = (v >>> (24 - 8 * i)) & 0xff;
    group.length = 0;
  };
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (isWhite(c)) continue;
    if (c === 0x7e) break;
    if (c === 0x7a && group.length === 0) {
      o += 4; // already zero
      continue;
    }
    group.push(c - 0x21);
    if (group.length === 5) flush(4);
  }
  if (group.length) flush(group.length - 1);
  return out;
}
