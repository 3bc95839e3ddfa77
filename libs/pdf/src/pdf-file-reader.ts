import { PdfError } from './pdf-error';
import { latin1, PdfLexer } from './pdf-lexer';
import { isDict, PdfRef, PdfStream, type PdfDict, type PdfObject } from './pdf-object';
import { indexOfAscii, lastIndexOfAscii, PdfObjectParser, startsWithAscii } from './pdf-object-parser';
import { decodePdfStream, PdfStreamDecodeError, type DecodeBudget } from './pdf-stream-decoder';

/** All streams this reader decodes for one file (object and xref streams, content) add up to at most this. */
const DECODE_BUDGET_BYTES = 512 * 1024 * 1024;
const MAX_SECTIONS = 10_000;

/** More objects than any real document has: beyond it a cross-reference is an attack, not a PDF. */
const MAX_OBJECTS = 8_000_000;

export interface XrefEntry {
  /** 0 free, 1 at an offset, 2 inside an object stream. */
  type: 0 | 1 | 2;
  /** Type 1: byte offset; type 2: the object stream's number. */
  offset: number;
  /** Type 1: generation; type 2: index in the object stream. */
  gen: number;
}

export interface XrefSection {
  /** Where the section starts: the `xref` keyword or the xref stream's object header. */
  offset: number;
  kind: 'table' | 'stream';
  /** The trailer dictionary (for a stream, its dictionary). */
  trailer: PdfDict;
  /** By object number; a hybrid file's /XRefStm entries are merged in below the table's. */
  entries: Map<number, XrefEntry>;
  /** Offset of the `%%EOF` after the section (the file's length if there is none). */
  eofAt: number;
  /** Offset just past that `%%EOF` and its end of line. */
  end: number;
}

/** One revision: the original file, or an incremental update (a linearised file's two sections are one revision). */
export interface PdfRevision {
  index: number;
  /** Offset of the revision's first byte (0, or the end of the one before). */
  start: number;
  /** Offset just past its `%%EOF` and end of line. */
  end: number;
  /** Offset of its `%%EOF`. */
  eofAt: number;
  sections: XrefSection[];
  /** What the revision defines, by object number (its sections merged, the newest first). */
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
}

interface ObjectStreamIndex {
  data: Uint8Array;
  offsets: number[];
  nums: number[];
}

/**
 * A PDF's structure: the chain of cross-reference sections from the last `startxref` (tables,
 * xref streams with /W and /Index, /Prev, hybrid files' /XRefStm), grouped into revisions, and
 * objects resolved lazily — from their offset, or decoded from their object stream — as of the
 * newest revision or an earlier one. The bytes are never copied.
 */
export class PdfFile {
  /** Newest first, as the /Prev chain runs. */
  readonly sections: XrefSection[];
  /** Oldest first. */
  readonly revisions: PdfRevision[];
  readonly trailer: PdfDict;
  readonly headerOffset: number;
  /** What the file's offsets are counted from: 0, or the header's offset when junk precedes it and they count from there. */
  readonly offsetShift: number;
  private readonly latest = new Map<number, { entry: XrefEntry; revision: number }>();
  private readonly cache = new Map<string, PdfObject>();
  private readonly objectStreams = new Map<string, ObjectStreamIndex>();
  private readonly parser: PdfObjectParser;
  private readonly budget: DecodeBudget = { remaining: DECODE_BUDGET_BYTES };
  private scanned?: Map<number, number>;
  private startxref = 0;
  private readonly resolving = new Set<string>();

  constructor(readonly bytes: Uint8Array) {
    const header = indexOfAscii(bytes.subarray(0, Math.min(bytes.length, 1024 + 5)), '%PDF-');
    if (header < 0) throw new PdfError('pdf_malformed', 'not a PDF: there is no %PDF- header in its first 1024 bytes');
    this.headerOffset = header;
    this.parser = new PdfObjectParser(bytes, (ref) => this.resolve(ref));
    this.sections = this.readSections();
    this.offsetShift = this.sections[0].offset !== this.startxref ? header : 0;
    this.trailer = this.sections[0].trailer;
    this.revisions = groupRevisions(this.sections);
    for (let r = this.revisions.length - 1; r >= 0; r--) {
      for (const [num, entry] of this.revisions[r].entries) if (!this.latest.has(num)) this.latest.set(num, { entry, revision: r });
    }
  }

  /** The value itself, or what a reference points at (null for a missing or free object). */
  resolve(v: PdfObject | undefined, revision?: number): PdfObject {
    if (!(v instanceof PdfRef)) return v ?? null;
    return this.object(v.num, revision);
  }

  /** The dictionary a value is or points at (a stream's dictionary too), or undefined. */
  dict(v: PdfObject | undefined, revision?: number): PdfDict | undefined {
    const o = this.resolve(v, revision);
    return isDict(o) ? o : o instanceof PdfStream ? o.dict : undefined;
  }

  /** Object `num` as of `revision` (the newest when omitted). */
  object(num: number, revision?: number): PdfObject {
    const found = this.entry(num, revision);
    if (!found || found.entry.type === 0) return null;
    const { entry } = found;
    const key = `${num}:${entry.type}:${entry.offset}:${entry.gen}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    if (this.resolving.has(key)) throw new PdfError('pdf_malformed', `object ${num} refers to itself while it is read`);
    this.resolving.add(key);
    try {
      const value = entry.type === 1 ? this.objectAt(num, entry.offset) : this.compressedObject(num, entry.offset, entry.gen, found.revision);
      this.cache.set(key, value);
      return value;
    } finally {
      this.resolving.delete(key);
    }
  }

  /** The entry that defines `num` as of `revision`, and the revision it is in. */
  entry(num: number, revision?: number): { entry: XrefEntry; revision: number } | undefined {
    if (revision === undefined || revision >= this.revisions.length - 1) return this.latest.get(num);
    for (let r = revision; r >= 0; r--) {
      const e = this.revisions[r].entries.get(num);
      if (e) return { entry: e, revision: r };
    }
    return undefined;
  }

  /** Every object number defined in the newest revision's view. */
  objectNumbers(): number[] {
    return [...this.latest.keys()];
  }

  /** A stream's data with its filters applied (FlateDecode with predictors, ASCIIHex, ASCII85). */
  decode(stream: PdfStream): Uint8Array {
    const dict = new Map(stream.dict);
    for (const k of ['Filter', 'DecodeParms']) if (dict.get(k) instanceof PdfRef) dict.set(k, this.resolve(dict.get(k)));
    try {
      return decodePdfStream(stream.data, dict, this.budget);
    } catch (err) {
      if (err instanceof PdfStreamDecodeError) throw new PdfError(err.kind === 'unsupported' ? 'pdf_unsupported' : 'pdf_malformed', err.message);
      throw err;
    }
  }

  /** Whether the trailer has /Encrypt. */
  get encrypted(): boolean {
    return this.trailer.has('Encrypt');
  }

  /** The trailer as of `revision` (the newest when omitted). */
  trailerOf(revision?: number): PdfDict {
    return revision === undefined ? this.trailer : this.revisions[Math.min(revision, this.revisions.length - 1)].trailer;
  }

  /** The catalog (/Root), as of `revision`. */
  catalog(revision?: number): PdfDict {
    const root = this.dict(this.trailerOf(revision).get('Root'), revision);
    if (!root) throw new PdfError('pdf_malformed', 'the trailer has no /Root catalog');
    return root;
  }

  private objectAt(num: number, offset: number): PdfObject {
    for (const at of [offset, offset + this.headerOffset]) {
      if (this.headerAt(at, num)) return this.parser.parseIndirect(at).value;
    }
    // A wrong offset: find the object's header as readers reconstruct a damaged file.
    const found = this.scan().get(num);
    if (found !== undefined) return this.parser.parseIndirect(found).value;
    throw new PdfError('pdf_malformed', `object ${num} is not at byte ${offset} where the cross-reference says it is`);
  }

  private headerAt(at: number, num: number): boolean {
    if (at < 0 || at >= this.bytes.length) return false;
    const lx = new PdfLexer(this.bytes, at, Math.min(this.bytes.length, at + 64));
    try {
      const n = lx.next();
      const g = lx.next();
      const o = lx.next();
      return n.kind === 'num' && n.value === num && g.kind === 'num' && o.kind === 'kw' && o.value === 'obj';
    } catch {
      return false;
    }
  }

  private scan(): Map<number, number> {
    if (this.scanned) return this.scanned;
    const out = new Map<number, number>();
    const re = /(?<![0-9])(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj\b/g;
    const text = latin1(this.bytes);
    for (let m = re.exec(text); m; m = re.exec(text)) out.set(Number(m[1]), m.index);
    this.scanned = out;
    return out;
  }

  private compressedObject(num: number, streamNum: number, index: number, revision: number): PdfObject {
    // The object stream as of the revision that lists the object (a later one may replace it).
    const streamEntry = this.entry(streamNum, revision);
    const osKey = `${streamNum}:${streamEntry?.entry.offset}`;
    let os = this.objectStreams.get(osKey);
    if (!os) {
      const stream = this.object(streamNum, revision);
      if (!(stream instanceof PdfStream)) throw new PdfError('pdf_malformed', `object ${num} is in object stream ${streamNum}, which is not a stream`);
      const data = this.decode(stream);
      const n = stream.dict.get('N');
      const first = stream.dict.get('First');
      if (typeof n !== 'number' || typeof first !== 'number') throw new PdfError('pdf_malformed', `object stream ${streamNum} has no /N or /First`);
      const lx = new PdfLexer(data, 0, Math.min(first, data.length), undefined);
      const nums: number[] = [];
      const offsets: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = lx.next();
        const b = lx.next();
        if (a.kind !== 'num' || b.kind !== 'num') throw new PdfError('pdf_malformed', `object stream ${streamNum}'s index is cut short`);
        nums.push(a.value);
        offsets.push(first + b.value);
      }
      os = { data, nums, offsets };
      this.objectStreams.set(osKey, os);
    }
    // The index says where; when it disagrees with the object's number, look it up by number.
    let i = os.nums[index] === num ? index : os.nums.indexOf(num);
    if (i < 0) throw new PdfError('pdf_malformed', `object ${num} is not in object stream ${streamNum}`);
    const end = i + 1 < os.offsets.length ? os.offsets[i + 1] : os.data.length;
    const lx = new PdfLexer(os.data, os.offsets[i], Math.max(os.offsets[i], end), undefined);
    return new PdfObjectParser(os.data).parse(lx);
  }

  private readSections(): XrefSection[] {
    const b = this.bytes;
    const at = lastIndexOfAscii(b, 'startxref');
    if (at < 0) throw new PdfError('pdf_malformed', 'the PDF has no startxref: it was cut off or is not a PDF');
    const lx = new PdfLexer(b, at + 'startxref'.length, Math.min(b.length, at + 64));
    const t = lx.next();
    if (t.kind !== 'num' || !t.int) throw new PdfError('pdf_malformed', 'startxref is not followed by an offset');
    const sections: XrefSection[] = [];
    const seen = new Set<number>();
    this.startxref = t.value;
    let offset: number | undefined = t.value;
    while (offset !== undefined) {
      if (seen.has(offset) || sections.length > MAX_SECTIONS) throw new PdfError('pdf_malformed', 'the cross-reference sections loop (/Prev)');
      seen.add(offset);
      const section = this.readSection(offset);
      sections.push(section);
      const prev = section.trailer.get('Prev');
      offset = typeof prev === 'number' && Number.isSafeInteger(prev) ? prev : undefined;
    }
    return sections;
  }

  private readSection(offset: number): XrefSection {
    for (const at of new Set([offset, offset + this.headerOffset])) {
      const lx = new PdfLexer(this.bytes, at);
      lx.skipWhite();
      if (startsWithAscii(this.bytes, lx.pos, 'xref')) return this.readTable(lx.pos);
      if (this.isObjectHeader(at)) {
        // An object is there: what is wrong with it (a filter, a broken stream) is the message.
        const obj = this.parser.parseIndirect(at);
        if (obj.value instanceof PdfStream && obj.value.dict.get('Type') === 'XRef') return this.readStreamSection(at, obj.value, obj.end);
      }
    }
    throw new PdfError('pdf_malformed', `there is no cross-reference table or stream at byte ${offset}: the file is damaged (save it again)`);
  }

  private isObjectHeader(at: number): boolean {
    const lx = new PdfLexer(this.bytes, at, Math.min(this.bytes.length, at + 64));
    try {
      const [n, g, o] = [lx.next(), lx.next(), lx.next()];
      return n.kind === 'num' && g.kind === 'num' && o.kind === 'kw' && o.value === 'obj';
    } catch {
      return false;
    }
  }

  private readTable(offset: number): XrefSection {
    const lx = new PdfLexer(this.bytes, offset + 4);
    const entries = new Map<number, XrefEntry>();
    for (;;) {
      const t = lx.next();
      if (t.kind === 'kw' && t.value === 'trailer') break;
      const c = lx.next();
      if (t.kind !== 'num' || c.kind !== 'num') throw new PdfError('pdf_malformed', `the cross-reference table at byte ${offset} is damaged`);
      for (let i = 0; i < c.value; i++) {
        const o = lx.next();
        const g = lx.next();
        const k = lx.next();
        if (o.kind !== 'num' || g.kind !== 'num' || k.kind !== 'kw' || (k.value !== 'n' && k.value !== 'f')) {
          throw new PdfError('pdf_malformed', `the cross-reference table at byte ${offset} is damaged (entry ${t.value + i})`);
        }
        const num = t.value + i;
        // Several subsections may name one object: the first wins, as readers do.
        if (!entries.has(num)) entries.set(num, k.value === 'n' ? { type: 1, offset: o.value, gen: g.value } : { type: 0, offset: 0, gen: g.value });
      }
    }
    const trailer = this.parser.parse(lx);
    if (!isDict(trailer)) throw new PdfError('pdf_malformed', `the trailer after byte ${offset} is not a dictionary`);
    const xrefStm = trailer.get('XRefStm');
    if (typeof xrefStm === 'number') {
      // A hybrid file: objects that older readers need not see are listed in an xref stream.
      try {
        const obj = this.parser.parseIndirect(xrefStm);
        if (obj.value instanceof PdfStream) {
          for (const [num, e] of this.streamEntries(obj.value)) if (!entries.has(num) || entries.get(num)!.type === 0) entries.set(num, e);
        }
      } catch (err) {
        if (!(err instanceof PdfError)) throw err;
        throw new PdfError('pdf_malformed', `the /XRefStm at byte ${xrefStm} is not an xref stream`);
      }
    }
    return { offset, kind: 'table', trailer, entries, ...this.eofAfter(lx.pos) };
  }

  private readStreamSection(offset: number, stream: PdfStream, end: number): XrefSection {
    return { offset, kind: 'stream', trailer: stream.dict, entries: this.streamEntries(stream), ...this.eofAfter(end) };
  }

  private streamEntries(stream: PdfStream): Map<number, XrefEntry> {
    const d = stream.dict;
    const w = d.get('W');
    const size = d.get('Size');
    if (!Array.isArray(w) || w.length < 3 || !w.every((x) => typeof x === 'number' && x >= 0 && x <= 8) || typeof size !== 'number') {
      throw new PdfError('pdf_malformed', 'an xref stream has no valid /W or /Size');
    }
    const [w1, w2, w3] = w as number[];
    // A row must carry its offset (w2 > 0), and the rows claimed must fit in the stream: /W [0 0 0]
    // with a huge /Size would otherwise fill a map with millions of phantom entries from nothing.
    if (w2 === 0) throw new PdfError('pdf_malformed', 'an xref stream has no offset field (/W [_ 0 _])');
    const index = d.get('Index');
    const ranges = Array.isArray(index) && index.length % 2 === 0 && index.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0) ? (index as number[]) : [0, size];
    const data = this.decode(stream);
    const rowLen = w1 + w2 + w3;
    let claimed = 0;
    for (let r = 1; r < ranges.length; r += 2) claimed += ranges[r]!;
    if (claimed * rowLen > data.length || claimed > MAX_OBJECTS) throw new PdfError('pdf_malformed', `an xref stream claims ${claimed} entries its ${data.length} bytes cannot hold`);
    const entries = new Map<number, XrefEntry>();
    let p = 0;
    const field = (width: number, fallback: number) => {
      if (width === 0) return fallback;
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + (data[p++] ?? 0);
      return v;
    };
    for (let r = 0; r < ranges.length; r += 2) {
      for (let i = 0; i < ranges[r + 1]; i++) {
        if (p + rowLen > data.length) throw new PdfError('pdf_malformed', 'an xref stream is shorter than its /Index says');
        const type = field(w1, 1);
        const a = field(w2, 0);
        const c = field(w3, 0);
        const num = ranges[r] + i;
        if (entries.has(num)) continue;
        if (type === 1) entries.set(num, { type: 1, offset: a, gen: c });
        else if (type === 2) entries.set(num, { type: 2, offset: a, gen: c });
        else if (type === 0) entries.set(num, { type: 0, offset: 0, gen: c });
        // Other types are reserved: readers treat them as null objects, not as entries.
      }
    }
    return entries;
  }

  private eofAfter(pos: number): { eofAt: number; end: number } {
    const b = this.bytes;
    const eofAt = indexOfAscii(b, '%%EOF', pos);
    if (eofAt < 0) return { eofAt: b.length, end: b.length };
    let end = eofAt + 5;
    if (b[end] === 13) end++;
    if (b[end] === 10) end++;
    return { eofAt, end };
  }
}

/**
 * Sections into revisions: an incremental update's section lies after the one its /Prev names; a
 * newer section lying before its /Prev is a linearised file's first-page section, one revision
 * with the main one.
 */
function groupRevisions(sections: XrefSection[]): PdfRevision[] {
  const groups: XrefSection[][] = [];
  for (let i = sections.length - 1; i >= 0; i--) {
    const s = sections[i];
    const last = groups[groups.length - 1];
    if (last && s.offset < last[0].offset) last.unshift(s);
    else groups.push([s]);
  }
  let start = 0;
  return groups.map((secs, index) => {
    const newestFirst = [...secs].sort((a, b) => sections.indexOf(a) - sections.indexOf(b));
    const entries = new Map<number, XrefEntry>();
    for (const s of newestFirst) for (const [n, e] of s.entries) if (!entries.has(n)) entries.set(n, e);
    const endSection = secs.reduce((a, b) => (b.end > a.end ? b : a));
    const rev: PdfRevision = { index, start, end: endSection.end, eofAt: endSection.eofAt, sections: newestFirst, entries, trailer: newestFirst[0].trailer };
    start = rev.end;
    return rev;
  });
}

export function readPdfFile(bytes: Uint8Array): PdfFile {
  return new PdfFile(bytes);
}
