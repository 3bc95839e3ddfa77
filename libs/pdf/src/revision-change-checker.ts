import { collectFields } from './acro-form-fields-reader';
import type { PdfFile } from './pdf-file-reader';
import { pdfEquals, PdfRef, PdfStream, type PdfDict, type PdfObject } from './pdf-object';
import { readPageTree } from './page-tree-reader';

/** One object a revision redefined or freed, what it was, and whether a signature may do that. */
export interface RevisionChange {
  /** `n g R`, or `trailer /Root`. */
  object: string;
  what: string;
  allowed: boolean;
}

export interface RevisionChanges {
  /** Only new signatures (fields, widgets, appearances), DSS data, annotations, and the references to them. */
  addsOnlySignaturesOrAnnotations: boolean;
  /** Objects of earlier revisions that this one changed or freed. */
  changedObjects: string[];
  changes: RevisionChange[];
}

/** Catalog keys a signing or LTV update changes: the form, the DSS, extension levels. */
const CATALOG_KEYS = new Set(['AcroForm', 'DSS', 'Extensions']);
const ACROFORM_KEYS = new Set(['Fields', 'SigFlags', 'DR']);
/** Keys an update may set on an empty signature field it signs. */
const SIGNED_FIELD_KEYS = new Set(['V', 'AP', 'F']);

/**
 * What revision `r` did to the document as revision `r - 1` left it — a DocMDP-like check (ISO
 * 32000-2 §12.8.2.2, P 3): new objects are harmless until something existing points at them, so
 * it is the changed ones that are judged. Allowed: the catalog gaining an AcroForm, DSS or
 * extensions; the AcroForm gaining fields (none removed), SigFlags, DR; a page gaining
 * annotations (none removed) on /Annots; an empty signature field being signed; the DSS, the
 * Info dictionary and the catalog's XMP metadata (none of them shown on a page). Anything else — a content stream, a resource, the page tree (a page added or
 * removed), an existing annotation, a replaced catalog, a freed object — is a change to the
 * document.
 */
export function checkRevisionChanges(file: PdfFile, r: number): RevisionChanges {
  const before = r - 1;
  const changes: RevisionChange[] = [];
  const ctx = context(file, before);
  const oldRoot = file.trailerOf(before).get('Root');
  const newRoot = file.revisions[r].trailer.get('Root');
  if (!(oldRoot instanceof PdfRef && oldRoot.equals(newRoot))) {
    changes.push({ object: 'trailer /Root', what: 'the catalog is replaced by another object', allowed: false });
  }
  let signedRefs: Set<number> | undefined;
  for (const [num, entry] of file.revisions[r].entries) {
    const old = file.entry(num, before);
    if (!old || old.entry.type === 0) {
      // A new object is harmless only if nothing signed points at it: a number the signed
      // revision already referred to (free or missing then) filled in afterwards changes what
      // the signed pages show (a content stream, a font, an XObject "added" later).
      signedRefs ??= referencedNumbers(file, before);
      if (entry.type !== 0 && signedRefs.has(num)) {
        changes.push({ object: `${num} ${entry.type === 1 ? entry.gen : 0} R`, what: 'an object the signed revision already referred to is defined after signing', allowed: false });
      }
      continue;
    }
    const key = `${num} ${old.entry.type === 1 ? old.entry.gen : 0} R`;
    if (entry.type === 0) {
      changes.push({ object: key, what: 'an object of the signed revision is deleted', allowed: false });
      continue;
    }
    const was = file.object(num, before);
    const now = file.object(num, r);
    if (pdfEquals(was, now)) continue;
    changes.push({ object: key, ...judge(file, ctx, num, was, now, r) });
  }
  return {
    addsOnlySignaturesOrAnnotations: changes.every((c) => c.allowed),
    changedObjects: changes.map((c) => c.object),
    changes,
  };
}

interface Context {
  root?: number;
  acroForm?: number;
  fields?: number;
  info?: number;
  metadata?: number;
  dss?: number;
  /** Page object numbers → 1-based page. */
  pages: Map<number, number>;
  /** Indirect /Annots arrays → 1-based page. */
  annots: Map<number, number>;
  /** Content streams → 1-based page. */
  contents: Map<number, number>;
  /** Fields of the form (by object number) that are unsigned signature fields. */
  emptySigFields: Set<number>;
}

function context(file: PdfFile, rev: number): Context {
  const num = (v: PdfObject | undefined) => (v instanceof PdfRef ? v.num : undefined);
  const trailer = file.trailerOf(rev);
  const catalog = file.catalog(rev);
  const form = file.dict(catalog.get('AcroForm'), rev);
  const pages = new Map<number, number>();
  const annots = new Map<number, number>();
  const contents = new Map<number, number>();
  for (const p of readPageTree(file, rev)) {
    pages.set(p.ref.num, p.index);
    const a = p.dict.get('Annots');
    if (a instanceof PdfRef) annots.set(a.num, p.index);
    const c = p.dict.get('Contents');
    const list = c instanceof PdfRef ? [c, ...asArray(file.resolve(c, rev))] : asArray(c);
    for (const x of list) if (x instanceof PdfRef) contents.set(x.num, p.index);
  }
  const emptySigFields = new Set<number>();
  for (const f of collectFields(file, form, rev)) {
    if (f.type === 'Sig' && !f.dict.has('V')) {
      if (f.ref) emptySigFields.add(f.ref.num);
      for (const w of f.widgets) if (w.ref) emptySigFields.add(w.ref.num);
    }
  }
  return {
    root: num(trailer.get('Root')),
    acroForm: num(catalog.get('AcroForm')),
    fields: num(form?.get('Fields')),
    info: num(trailer.get('Info')),
    metadata: num(catalog.get('Metadata')),
    dss: num(catalog.get('DSS')),
    pages,
    annots,
    contents,
    emptySigFields,
  };
}

function judge(file: PdfFile, ctx: Context, num: number, was: PdfObject, now: PdfObject, r: number): { what: string; allowed: boolean } {
  const wasDict = was instanceof PdfStream ? was.dict : was instanceof Map ? was : undefined;
  const type = wasDict?.get('Type');
  if (type === 'XRef' || type === 'ObjStm') return { what: `a cross-reference or object stream (${type})`, allowed: true };
  if (num === ctx.root) {
    const changed = changedKeys(wasDict, now);
    const formOk = !changed.includes('AcroForm') || !(wasDict?.get('AcroForm') instanceof Map) || formChangeAllowed(file, wasDict.get('AcroForm') as PdfDict, (now as PdfDict).get('AcroForm'), r);
    return describe('the catalog', changed, changed.every((k) => CATALOG_KEYS.has(k)) && formOk);
  }
  if (num === ctx.acroForm) return describe('the AcroForm', changedKeys(wasDict, now), !!wasDict && formChangeAllowed(file, wasDict, now, r));
  if (num === ctx.fields) return { what: 'the AcroForm /Fields', allowed: supersetOf(was, now) };
  if (num === ctx.info) return { what: 'the document information dictionary (metadata)', allowed: true };
  if (num === ctx.metadata) return { what: "the catalog's XMP metadata", allowed: true };
  if (num === ctx.dss || type === 'DSS') return { what: 'the DSS (validation data)', allowed: true };
  const page = ctx.pages.get(num);
  if (page !== undefined) {
    const changed = changedKeys(wasDict, now);
    const wasAnnots = file.resolve(wasDict?.get('Annots'), r - 1);
    const nowAnnots = file.resolve((now as PdfDict).get('Annots'), r);
    const annotsOk = !changed.includes('Annots') || supersetOf(wasAnnots, nowAnnots);
    const foreign = changed.includes('Annots') ? nonSignatureAnnotation(file, wasAnnots, nowAnnots, r) : undefined;
    if (foreign) return { what: `page ${page} gains ${foreign}: it could be drawn over the signed content`, allowed: false };
    const ok = changed.every((k) => k === 'Annots') && annotsOk;
    return { what: ok ? `page ${page} gains signature widgets` : `page ${page} is changed (${changed.map((k) => `/${k}`).join(', ')}${annotsOk ? '' : ', annotations removed'})`, allowed: ok };
  }
  const annotsOf = ctx.annots.get(num);
  if (annotsOf !== undefined) {
    const foreign = nonSignatureAnnotation(file, was, now, r);
    if (foreign) return { what: `page ${annotsOf} gains ${foreign}: it could be drawn over the signed content`, allowed: false };
    return { what: `page ${annotsOf}'s /Annots${supersetOf(was, now) ? ' gains signature widgets' : ' loses annotations'}`, allowed: supersetOf(was, now) };
  }
  if (ctx.emptySigFields.has(num)) {
    const changed = changedKeys(wasDict, now);
    const ok = changed.every((k) => SIGNED_FIELD_KEYS.has(k));
    return { what: ok ? 'an empty signature field is signed' : `a signature field is changed (${changed.map((k) => `/${k}`).join(', ')})`, allowed: ok };
  }
  const content = ctx.contents.get(num);
  if (content !== undefined) return { what: `page ${content}'s content is changed`, allowed: false };
  const kind = type === 'Pages' ? 'the page tree (pages added, removed or reordered)' : kindOf(wasDict, was);
  return { what: `${kind} is changed`, allowed: false };
}

const asArray = (v: PdfObject | undefined): PdfObject[] => (Array.isArray(v) ? v : []);

function describe(what: string, changed: string[], allowed: boolean): { what: string; allowed: boolean } {
  return { what: `${what} (${changed.map((k) => `/${k}`).join(', ') || 'rewritten'})`, allowed };
}

function formChangeAllowed(file: PdfFile, was: PdfDict, now: PdfObject | undefined, r: number): boolean {
  const nowDict = file.dict(now, r);
  if (!nowDict) return false;
  const changed = changedKeys(was, nowDict);
  if (!changed.every((k) => ACROFORM_KEYS.has(k))) return false;
  return !changed.includes('Fields') || supersetOf(file.resolve(was.get('Fields'), r - 1), file.resolve(nowDict.get('Fields'), r));
}

/** Keys added, removed or changed between two dictionaries. */
function changedKeys(was: PdfDict | undefined, now: PdfObject): string[] {
  const nowDict = now instanceof PdfStream ? now.dict : now instanceof Map ? now : undefined;
  if (!was || !nowDict) return ['(not a dictionary)'];
  const keys = new Set([...was.keys(), ...nowDict.keys()]);
  return [...keys].filter((k) => !pdfEquals(was.get(k), nowDict.get(k)));
}

/** Whether array `now` holds every element of array `was`. */
function supersetOf(was: PdfObject, now: PdfObject): boolean {
  const a = Array.isArray(was) ? was : [];
  return Array.isArray(now) && a.every((x) => now.some((y) => pdfEquals(x, y)));
}

function kindOf(dict: PdfDict | undefined, v: PdfObject): string {
  if (v instanceof PdfStream) {
    const sub = dict?.get('Subtype');
    if (dict?.get('Type') === 'XObject' || sub === 'Image' || sub === 'Form') return `an XObject (${String(sub ?? '?')})`;
    if (dict?.has('Length1') || dict?.has('Length2') || sub === 'Type1C' || sub === 'CIDFontType0C' || sub === 'OpenType') return 'a font program';
    return 'a stream (page content or other data)';
  }
  const type = dict?.get('Type');
  if (typeof type === 'string') return `an object of /Type /${type}${typeof dict?.get('Subtype') === 'string' ? ` /${dict.get('Subtype') as string}` : ''}`;
  return Array.isArray(v) ? 'an array' : dict ? 'a dictionary' : 'an object';
}

/** Every object number the revision refers to from its trailer, resolved or dangling (bounded walk). */
function referencedNumbers(file: PdfFile, rev: number, limit = 2_000_000): Set<number> {
  const seen = new Set<number>();
  const stack: PdfObject[] = [...file.trailerOf(rev).values()];
  let steps = 0;
  while (stack.length && steps++ < limit) {
    const v = stack.pop()!;
    if (v instanceof PdfRef) {
      if (seen.has(v.num)) continue;
      seen.add(v.num);
      let target: PdfObject;
      try {
        target = file.object(v.num, rev);
      } catch {
        continue;
      }
      if (target !== null) stack.push(target);
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v instanceof Map) {
      for (const x of v.values()) stack.push(x);
    } else if (v instanceof PdfStream) {
      for (const x of v.dict.values()) stack.push(x);
    }
  }
  return seen;
}

/**
 * After a signature, a page may gain only signature widgets (a further seal): any other new
 * annotation — a stamp, a free text, a link with an appearance — can paint over what was signed
 * (the "evil annotation" attack), so it counts as a change. Describes the first one found.
 */
function nonSignatureAnnotation(file: PdfFile, was: PdfObject | undefined, now: PdfObject | undefined, r: number): string | undefined {
  const before = Array.isArray(was) ? was : [];
  for (const a of Array.isArray(now) ? now : []) {
    if (before.some((b) => pdfEquals(a, b))) continue;
    const d = file.dict(a, r);
    const sub = d?.get('Subtype');
    const parent = file.dict(d?.get('Parent'), r);
    const isSignatureWidget = sub === 'Widget' && (d?.get('FT') === 'Sig' || parent?.get('FT') === 'Sig');
    if (!isSignatureWidget) return `an annotation that is not a signature widget (/Subtype /${typeof sub === 'string' ? sub : '?'})`;
  }
  return undefined;
}
