import { collectFields } from './acro-form-fields-reader';
import { PdfError } from './pdf-error';
import { readPdfFile, type PdfFile } from './pdf-file-reader';
import { PdfRef, PdfString, type PdfDict, type PdfObject } from './pdf-object';
import { readPageTree } from './page-tree-reader';
import { checkRevisionChanges, type RevisionChange } from './revision-change-checker';
import { decodeTextString } from './pdf-text-string-codec';

/** An incremental update made after a signature, and what it did to the signed document. */
export interface LaterRevision {
  /** Offset just past the update's %%EOF (and end of line). */
  end: number;
  /** DocMDP-like: only new signatures (fields, widgets, appearances), DSS data or annotations. */
  addsOnlySignaturesOrAnnotations: boolean;
  /** Objects of the earlier revisions it changed or freed (`n g R`). */
  changedObjects: string[];
  /** Each change in words, and whether a signature may do it. */
  changes: RevisionChange[];
}

/** A signature of the file, with what is needed to check it and what the file did after it. */
export interface PdfSignatureInfo {
  fieldName: string;
  subFilter: string;
  filter?: string;
  /** As written ([0 0 0 0] when the signature has none that is four integers). */
  byteRange: [number, number, number, number];
  /** The DER signature container, its zero padding removed. */
  contents: Uint8Array;
  reason?: string;
  location?: string;
  contactInfo?: string;
  name?: string;
  /** /M as written (a PDF date string). */
  m?: string;
  /** 1-based pages its widgets are on. */
  pages: number[];
  /**
   * The ByteRange starts at 0, its gap is exactly the `<hex>` of /Contents, and its second range
   * ends at the end of the revision the signature belongs to (its %%EOF, with or without the end of line).
   */
  coversWholeFileButContents: boolean;
  /** Offset just past that revision's %%EOF and end of line. */
  revisionEnd: number;
  laterRevisions: LaterRevision[];
}

/**
 * Every signature field with a value (/FT /Sig with /V) of the document's AcroForm, in form
 * order: its signature dictionary, where it is, whether its ByteRange covers its whole revision
 * but the signature, and each later incremental update judged for changes to the signed document.
 * Document timestamps (/SubFilter /ETSI.RFC3161) are listed like signatures. Throws PdfError:
 * pdf_malformed, pdf_encrypted.
 */
export function readPdfSignatures(pdf: Uint8Array): PdfSignatureInfo[] {
  const file = readPdfFile(pdf);
  if (file.encrypted) throw new PdfError('pdf_encrypted', 'the PDF is encrypted: its signatures cannot be read without the password');
  const form = file.dict(file.catalog().get('AcroForm'));
  const fields = collectFields(file, form).filter((f) => f.type === 'Sig' && f.dict.has('V'));
  if (fields.length === 0) return [];
  const pageOf = widgetPages(file);
  const later = new Map<number, LaterRevision>();
  const laterRevision = (r: number): LaterRevision => {
    if (!later.has(r)) later.set(r, { end: file.revisions[r].end, ...changesOrUnreadable(file, r) });
    return later.get(r)!;
  };

  return fields.flatMap((f) => {
    const v = f.dict.get('V');
    const sig = file.dict(v);
    if (!sig) return [];
    const holder = v instanceof PdfRef ? v : f.ref;
    const revision = holder ? (file.entry(holder.num)?.revision ?? file.revisions.length - 1) : file.revisions.length - 1;
    const rev = file.revisions[revision];
    const byteRange = readByteRange(file, sig);
    const contentsValue = sig.get('Contents');
    const contents = contentsValue instanceof PdfString ? contentsValue : undefined;
    const [a, b, c, d] = byteRange;
    const span = contents?.span;
    const signedEnd = c + d;
    const covers = a === 0 && !!span && span[0] === b && span[1] === c && signedEnd >= rev.eofAt + 5 && signedEnd <= rev.end && signedEnd <= pdf.length;
    const pages = [...new Set(f.widgets.flatMap((w) => (w.ref ? (pageOf.get(w.ref.key) ?? pageFromP(file, w.dict)) : pageFromP(file, w.dict))))].sort((x, y) => x - y);
    const text = (k: string) => {
      const s = sig.get(k);
      return s instanceof PdfString ? decodeTextString(s) : undefined;
    };
    const m = sig.get('M');
    const filter = sig.get('Filter');
    const subFilter = sig.get('SubFilter');
    const info: PdfSignatureInfo = {
      fieldName: f.name,
      subFilter: typeof subFilter === 'string' ? subFilter : '',
      ...(typeof filter === 'string' ? { filter } : {}),
      byteRange,
      contents: contents ? withoutPadding(contents.bytes) : new Uint8Array(0),
      ...optional('reason', text('Reason')),
      ...optional('location', text('Location')),
      ...optional('contactInfo', text('ContactInfo')),
      ...optional('name', text('Name')),
      ...optional('m', m instanceof PdfString ? m.latin1 : undefined),
      pages,
      coversWholeFileButContents: covers,
      revisionEnd: rev.end,
      laterRevisions: [...file.revisions.slice(revision + 1).map((r) => laterRevision(r.index)), ...trailing(file, pdf)],
    };
    return [info];
  });
}

/**
 * Bytes after the last revision's %%EOF are no revision a reader is meant to see, but a reader
 * that rebuilds a damaged cross-reference may take objects from them: they count as a change.
 */
function trailing(file: PdfFile, pdf: Uint8Array): LaterRevision[] {
  const last = file.revisions[file.revisions.length - 1]!;
  for (let i = last.end; i < pdf.length; i++) {
    const c = pdf[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x0c && c !== 0x00) {
      return [{ end: pdf.length, addsOnlySignaturesOrAnnotations: false, changedObjects: [], changes: [{ object: `bytes ${last.end}-${pdf.length}`, what: `${pdf.length - last.end} bytes follow the last %%EOF outside any revision`, allowed: false }] }];
    }
  }
  return [];
}

/** An update that cannot be compared (its objects do not parse) counts as a change. */
function changesOrUnreadable(file: PdfFile, r: number): Omit<LaterRevision, 'end'> {
  try {
    return checkRevisionChanges(file, r);
  } catch (err) {
    if (!(err instanceof PdfError)) throw err;
    return { addsOnlySignaturesOrAnnotations: false, changedObjects: [], changes: [{ object: `revision ${r + 1}`, what: `cannot be compared with the signed revision (${err.message})`, allowed: false }] };
  }
}

const optional = <K extends string>(k: K, v: string | undefined): { [P in K]?: string } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: string }));

function readByteRange(file: PdfFile, sig: PdfDict): [number, number, number, number] {
  const br = file.resolve(sig.get('ByteRange'));
  if (Array.isArray(br) && br.length === 4) {
    const n = br.map((x) => file.resolve(x));
    if (n.every((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) return n as [number, number, number, number];
  }
  return [0, 0, 0, 0];
}

/** Widget (by `n g R`) → the pages whose /Annots list it. */
function widgetPages(file: PdfFile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of readPageTree(file)) {
    const annots = file.resolve(p.dict.get('Annots'));
    if (!Array.isArray(annots)) continue;
    for (const a of annots) if (a instanceof PdfRef) out.set(a.key, [...(out.get(a.key) ?? []), p.index]);
  }
  return out;
}

/** A direct widget's page, by its /P. */
function pageFromP(file: PdfFile, widget: PdfDict): number[] {
  const p: PdfObject | undefined = widget.get('P');
  if (!(p instanceof PdfRef)) return [];
  const page = readPageTree(file).find((x) => x.ref.equals(p));
  return page ? [page.index] : [];
}

/**
 * The signature container without the zeros after it: the length of its outer DER (or BER with
 * indefinite lengths) element; if it does not parse, the bytes without trailing zeros.
 */
export function withoutPadding(bytes: Uint8Array): Uint8Array {
  const end = berEnd(bytes, 0, 0);
  if (end !== undefined) return bytes.subarray(0, end);
  let n = bytes.length;
  while (n > 0 && bytes[n - 1] === 0) n--;
  return bytes.subarray(0, n);
}

function berEnd(b: Uint8Array, at: number, depth: number): number | undefined {
  if (depth > 64 || at + 2 > b.length) return undefined;
  let p = at + 1;
  if ((b[at] & 0x1f) === 0x1f) {
    while (p < b.length && b[p] & 0x80) p++;
    p++;
  }
  if (p >= b.length) return undefined;
  const first = b[p++];
  if (first < 0x80) return p + first <= b.length ? p + first : undefined;
  if (first === 0x80) {
    // Indefinite length (constructed only): children until the end-of-contents octets.
    if (!(b[at] & 0x20)) return undefined;
    for (;;) {
      if (p + 2 > b.length) return undefined;
      if (b[p] === 0 && b[p + 1] === 0) return p + 2;
      const child = berEnd(b, p, depth + 1);
      if (child === undefined) return undefined;
      p = child;
    }
  }
  const n = first & 0x7f;
  if (n > 4 || p + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[p++];
  return p + len <= b.length ? p + len : undefined;
}
