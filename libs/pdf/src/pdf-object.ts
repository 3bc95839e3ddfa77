/**
 * The PDF object model (ISO 32000-2 §7.3): names are plain strings (without the slash, `#xx`
 * escapes decoded, one char per byte), dictionaries are maps from name to value, strings keep
 * their bytes. A dictionary's `PdfDict` type is shared with the stream decoder.
 */
export type PdfObject = null | boolean | number | string | PdfString | PdfRef | PdfObject[] | PdfDict | PdfStream;
export type PdfDict = Map<string, PdfObject>;

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}

  get key(): string {
    return `${this.num} ${this.gen} R`;
  }

  equals(other: unknown): boolean {
    return other instanceof PdfRef && other.num === this.num && other.gen === this.gen;
  }
}

export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    /** Written as `<hex>` (a re-serialisation keeps the form). */
    readonly hex = false,
    /** Where the string's token (delimiters included) is in the file, when it was read from the file itself (not from an object stream). */
    readonly span?: [number, number],
  ) {}

  /** The bytes as latin1 characters. */
  get latin1(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('latin1');
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The stream's data as stored (filters not applied): a view into the file, not a copy. */
    readonly data: Uint8Array,
  ) {}
}

export const isDict = (v: PdfObject | undefined): v is PdfDict => v instanceof Map;
export const isName = (v: PdfObject | undefined): v is string => typeof v === 'string';
export const isNumber = (v: PdfObject | undefined): v is number => typeof v === 'number';

/** Deep equality of two objects as written (references compared by number, streams by dictionary and data). */
export function pdfEquals(a: PdfObject | undefined, b: PdfObject | undefined): boolean {
  if (a === b) return true;
  if (a instanceof PdfRef) return a.equals(b);
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.compare(a.bytes, b.bytes) === 0;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => pdfEquals(v, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !pdfEquals(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof PdfStream) return b instanceof PdfStream && pdfEquals(a.dict, b.dict) && Buffer.compare(a.data, b.data) === 0;
  return false;
}
