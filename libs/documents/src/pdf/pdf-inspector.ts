import { MaterialRejectedError } from '../material-rejected-error';
import { parsePdfDictionary, type PdfDictionary } from './pdf-dictionary-parser';
import { findPdfName } from './pdf-name-scanner';
import { decodePdfStream, PdfStreamDecodeError, type DecodeBudget } from '@ecert/pdf';

/** PDF whitespace (ISO 32000-2 §7.2.3), for the patterns below. */
const WS = '[\\0\\t\\n\\f\\r ]';
/** Readers accept the header within the first 1024 bytes (ISO 32000 leaves junk before it to them); so do we. */
const HEADER_WINDOW = 1024;
const TAIL_WINDOW = 1024;
/** All streams of one PDF may decode to this much: far above any scan's fonts and object streams, far below a bomb. */
const DECODE_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * Names that make a PDF active, and what the refusal says. Long enough not to turn up by chance in
 * binary data, so they are looked for everywhere: in the raw bytes (strings and stream data
 * included) and in every decoded stream that is not an image. A JavaScript action needs
 * `/S /JavaScript`, so an /OpenAction or /AA that runs a script is caught by its action.
 */
const ACTIVE_ANYWHERE = new Map([
  ['JavaScript', 'JavaScript'],
  ['Launch', 'a launch action (it starts a program or opens a file)'],
  ['EmbeddedFiles', 'embedded files'],
  ['EmbeddedFile', 'an embedded file'],
  ['RichMedia', 'rich media (Flash, video)'],
]);
/** Short names an image or font would hold by chance: looked for only where dictionaries are (outside stream data, object streams). */
const ACTIVE_IN_DICTIONARIES = new Map([...ACTIVE_ANYWHERE, ['JS', 'JavaScript'], ['XFA', 'an XFA form, which can run scripts']]);
const ENCRYPT = 'Encrypt';
const LOOK_ANYWHERE = new Set(ACTIVE_ANYWHERE.keys());
const LOOK_IN_DICTIONARIES = new Set([...ACTIVE_IN_DICTIONARIES.keys(), ENCRYPT]);

const OBJECT_HEADER = new RegExp(`\\d+${WS}+\\d+${WS}+obj\\b`);
const XREF_AT = new RegExp(`^${WS}*(?:xref|\\d+${WS}+\\d+${WS}+obj\\b)`);
const STARTXREF = new RegExp(`^startxref${WS}+(\\d+)${WS}+%%EOF`);
/** The `stream` keyword after a dictionary, with its end of line (a space before it is tolerated). */
const STREAM = new RegExp(`>>${WS}*stream[ \\t]*(?:\\r\\n|\\r|\\n)`, 'g');

interface PdfStream {
  dict: PdfDictionary;
  start: number;
  end: number;
}

/** Offset of `%PDF-` within the first 1024 bytes, or undefined: what makes the bytes a PDF candidate. */
export function pdfHeaderOffset(bytes: Uint8Array): number | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEADER_WINDOW + 4));
  const at = head.indexOf('%PDF-', 0, 'latin1');
  return at >= 0 && at < HEADER_WINDOW ? at : undefined;
}

/**
 * A whole PDF without active content, judged by its bytes: a header with a known version, the
 * end of a file (`startxref` pointing at a cross-reference section, `%%EOF`), at least one
 * object, no encryption, no JavaScript, launch actions, embedded files, rich media or XFA — also
 * not behind `#` escapes in names or inside compressed object streams. Materials are scans and
 * forms: none of that has any business in them.
 *
 * A filter, not a PDF parser: it does not render or follow the object graph. The gateway should
 * still hand materials to reviewers as downloads, never inline.
 */
export function inspectPdf(bytes: Uint8Array): { mediaType: 'application/pdf' } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  const header = pdfHeaderOffset(bytes);
  if (header === undefined) throw new MaterialRejectedError('material_type_unsupported', 'not a PDF: there is no %PDF- header in its first 1024 bytes');
  // Junk before the header is tolerated, markup is not: that is an HTML or XML page carrying a PDF.
  if (header > 0 && text.slice(0, header).includes('<')) {
    throw new MaterialRejectedError('material_type_unsupported', 'not a PDF: the bytes before its %PDF- header are HTML or XML');
  }
  if (!new RegExp(`^%PDF-(?:1\\.[0-7]|2\\.0)(?:${WS}|%)`).test(text.slice(header, header + 10))) {
    throw new MaterialRejectedError('material_malformed', 'the PDF header names no known version (1.0 to 1.7, 2.0)');
  }
  if (!text.slice(-TAIL_WINDOW).includes('%%EOF')) {
    throw new MaterialRejectedError('material_malformed', 'the PDF does not end with %%EOF: it was cut off (an interrupted upload or download?)');
  }
  checkStartxref(text, header);
  if (!OBJECT_HEADER.test(text) || !text.includes('endobj')) throw new MaterialRejectedError('material_malformed', 'the PDF holds no object');

  const streams = findStreams(text);
  let from = 0;
  for (const s of [...streams].sort((a, b) => a.start - b.start)) {
    if (s.start > from) refuseActive(buf, from, s.start, true);
    from = Math.max(from, s.end);
  }
  refuseActive(buf, from, buf.length, true);
  refuseActive(buf, 0, buf.length, false);

  const budget: DecodeBudget = { remaining: DECODE_BUDGET_BYTES };
  for (const s of streams) {
    // A real image never has /First; a stream with /First and /N can be read as an object stream
    // whatever its /Subtype says, so it is checked as one.
    const holdsObjects = s.dict.get('Type') === 'ObjStm' || s.dict.has('First');
    if (s.dict.get('Subtype') === 'Image' && !holdsObjects) continue;
    if (!s.dict.has('Filter')) {
      if (holdsObjects) refuseActive(buf, s.start, s.end, true);
      continue;
    }
    let decoded: Uint8Array;
    try {
      decoded = decodePdfStream(buf.subarray(s.start, s.end), s.dict, budget);
    } catch (err) {
      if (!(err instanceof PdfStreamDecodeError)) throw err;
      if (err.kind === 'budget') throw new MaterialRejectedError('material_too_large', `the PDF's streams decompress to more than ${DECODE_BUDGET_BYTES / 1024 / 1024} MiB`);
      if (err.kind === 'unsupported') throw new MaterialRejectedError('material_type_unsupported', `${err.message}, which the check cannot read: save the PDF again (e.g. print it to a new PDF)`);
      throw new MaterialRejectedError('material_malformed', `the PDF is damaged: ${err.message}`);
    }
    refuseActive(decoded, 0, decoded.length, holdsObjects);
  }
  return { mediaType: 'application/pdf' };
}

function checkStartxref(text: string, header: number): void {
  const at = text.lastIndexOf('startxref');
  const m = at < 0 ? null : STARTXREF.exec(text.slice(at, at + 64));
  if (!m) throw new MaterialRejectedError('material_malformed', 'the PDF has no startxref offset before its %%EOF: it was cut off or is not a PDF');
  const offset = Number(m[1]);
  if (!(offset < at)) throw new MaterialRejectedError('material_malformed', `the PDF's startxref points at byte ${offset}, outside the file`);
  // Readers count offsets from the header when there is junk before it; either reading is accepted.
  const lands = (p: number) => p < at && XREF_AT.test(text.slice(p, p + 64));
  if (!lands(offset) && !(header > 0 && lands(offset + header))) {
    throw new MaterialRejectedError('material_malformed', "the PDF's startxref does not point at a cross-reference table or stream");
  }
}

/**
 * Every stream: its dictionary and the range of its data. The search does not skip stream data,
 * so a stream hidden inside another (reachable through a crafted offset) is found too.
 */
function findStreams(text: string): PdfStream[] {
  const out: PdfStream[] = [];
  STREAM.lastIndex = 0;
  for (let m = STREAM.exec(text); m; m = STREAM.exec(text)) {
    const dictEnd = m.index + 2;
    const dictStart = dictionaryStart(text, dictEnd);
    const dict = dictStart === undefined ? undefined : parsePdfDictionary(text.slice(dictStart, dictEnd));
    if (!dict) throw new MaterialRejectedError('material_malformed', `the PDF is damaged: the dictionary of the stream at byte ${m.index} cannot be read`);
    const start = m.index + m[0].length;
    out.push({ dict, start, end: streamEnd(text, start, dict) });
  }
  return out;
}

/** Where the `<<` matching the `>>` that ends at `end` begins (dictionaries nest; stream dictionaries are short). */
function dictionaryStart(text: string, end: number): number | undefined {
  let depth = 0;
  for (let i = end - 2; i >= Math.max(0, end - 65_536); ) {
    if (text.startsWith('>>', i)) {
      depth++;
      i -= 2;
    } else if (text.startsWith('<<', i)) {
      if (--depth === 0) return i;
      i -= 2;
    } else {
      i--;
    }
  }
  return undefined;
}

/** End of a stream's data: by its /Length when that is a number and lands on `endstream`, else at the next `endstream`. */
function streamEnd(text: string, start: number, dict: PdfDictionary): number {
  const length = dict.get('Length');
  if (typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 && /^(?:\r\n|\r|\n)?endstream/.test(text.slice(start + length, start + length + 12))) {
    return start + length;
  }
  const at = text.indexOf('endstream', start);
  if (at < 0) throw new MaterialRejectedError('material_malformed', 'the PDF was cut off inside a stream (no endstream)');
  return text.startsWith('\r\n', at - 2) ? at - 2 : text[at - 1] === '\n' || text[at - 1] === '\r' ? at - 1 : at;
}

/** Throws for the first active-content (or encryption) name in `bytes[start, end)`. */
function refuseActive(bytes: Uint8Array, start: number, end: number, dictionaries: boolean): void {
  const names = dictionaries ? ACTIVE_IN_DICTIONARIES : ACTIVE_ANYWHERE;
  const found = start < end ? findPdfName(bytes, dictionaries ? LOOK_IN_DICTIONARIES : LOOK_ANYWHERE, start, end) : undefined;
  if (found === ENCRYPT) throw new MaterialRejectedError('material_encrypted', 'the PDF is encrypted: neither the check nor a reviewer can read it; save it again without a password or restrictions');
  if (found) throw new MaterialRejectedError('material_active_content', `the PDF contains ${names.get(found)} (/${found}); materials are scans and forms, which need no active content`);
}
