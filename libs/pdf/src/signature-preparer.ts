import { writeIncrementalUpdate, type UpdateObject } from './incremental-update-writer';
import { PdfError } from './pdf-error';
import type { PdfFile } from './pdf-file-reader';
import { isDict, PdfRef, PdfStream, type PdfDict, type PdfObject } from './pdf-object';
import { serializeNumber, serializePdfObject } from './pdf-object-serializer';
import { openUnencrypted } from './pdf-page-reader';
import { pageHasContent } from './content-stream-scanner';
import { encodeTextString, pdfDate } from './pdf-text-string-codec';
import { readPageTree, type PageNode } from './page-tree-reader';
import { displayedBoxToUserSpace } from './page-geometry-mapper';
import type { SlicedPlacement } from './page-placement';
import { encodeSealImage } from './seal-image-encoder';
import { collectFields } from './acro-form-fields-reader';

export interface PrepareSignatureOptions {
  /** At least one; all belong to one signature field (one widget per placement). */
  placements: SlicedPlacement[];
  /** The seal picture, drawn as an image XObject with a soft mask (its transparency kept). */
  image: { png: Uint8Array };
  subFilter: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';
  reason?: string;
  location?: string;
  contactInfo?: string;
  name?: string;
  /** /M, informational (default: now). */
  signingTime?: Date;
  /** Bytes reserved for the DER CMS (default 16384: a chain and a timestamp fit); the hex placeholder is twice that. */
  contentsBytes?: number;
  /** Default: Signature<n>, unique in the document. */
  fieldName?: string;
}

export interface PreparedSignature {
  pdf: Uint8Array;
  byteRange: [number, number, number, number];
  /** Offset of the `<` of the /Contents placeholder: byteRange[1]. */
  contentsOffset: number;
  /** Length of the placeholder with its `<` `>`: byteRange[2] - byteRange[1]. */
  contentsLength: number;
  fieldName: string;
}

const DEFAULT_CONTENTS_BYTES = 16_384;
const MAX_CONTENTS_BYTES = 1 << 20;
/** Ten digits: ByteRange numbers for files below 10 GB, patched in place once the offsets are known. */
const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';
/** Print + Locked (ISO 32000-2 §12.5.3): printed, and readers do not let it be moved or deleted. */
const WIDGET_FLAGS = 4 | 128;

/**
 * Prepares a PDF for signing as an incremental update: the original bytes untouched, then a
 * signature dictionary with /ByteRange and /Contents placeholders, one signature field with a
 * widget per placement (on each page's /Annots), appearance streams drawing the seal image (or its
 * slice), the catalog's AcroForm with the field in /Fields and /SigFlags 3, and a new
 * cross-reference section (a table if the file's last one is a table, else an xref stream) with
 * /Prev. Only the objects that must change get a new revision (the pages' /Annots, the AcroForm,
 * the catalog when the AcroForm is new or direct). Rotated pages and CropBoxes not at 0,0 are
 * handled: the widget /Rect is in default user space, the appearance /Matrix shows the seal
 * upright on the displayed page.
 *
 * Throws PdfError: pdf_malformed, pdf_encrypted, pdf_page_out_of_range, pdf_blank_page (a
 * placement on a page with no visible content, naming it), pdf_unsupported (a field of that name
 * exists; the document is certified with no changes allowed).
 *
 * Memory: the file is read in place and copied once, into the result.
 */
export function prepareSignature(pdf: Uint8Array, opts: PrepareSignatureOptions): PreparedSignature {
  const contentsBytes = opts.contentsBytes ?? DEFAULT_CONTENTS_BYTES;
  if (!Number.isInteger(contentsBytes) || contentsBytes < 64 || contentsBytes > MAX_CONTENTS_BYTES) {
    throw new RangeError(`contentsBytes must be an integer from 64 to ${MAX_CONTENTS_BYTES}`);
  }
  if (opts.placements.length === 0) throw new RangeError('a signature needs at least one placement');
  const file = openUnencrypted(pdf);
  const pages = readPageTree(file);
  checkPlacements(file, pages, opts.placements);
  refuseIfCertifiedWithoutChanges(file);

  const catalogRef = file.trailer.get('Root');
  if (!(catalogRef instanceof PdfRef)) throw new PdfError('pdf_malformed', 'the trailer /Root is not a reference');
  const catalog = file.catalog();
  const acroFormValue = catalog.get('AcroForm');
  const acroForm = file.dict(acroFormValue);
  const existing = collectFields(file, acroForm);
  const names = new Set(existing.map((f) => f.name));
  const fieldName = opts.fieldName ?? defaultFieldName(names);
  if (names.has(fieldName)) throw new PdfError('pdf_unsupported', `the document already has a field named ${JSON.stringify(fieldName)}`);

  let next = Math.max(numberOr(file.trailer.get('Size'), 0), ...file.objectNumbers().map((n) => n + 1));
  const alloc = () => new PdfRef(next++, 0);
  const objects: UpdateObject[] = [];
  const put = (ref: PdfRef, value: PdfObject) => objects.push({ num: ref.num, gen: ref.gen, value });

  const sigRef = alloc();
  const single = opts.placements.length === 1;
  const fieldRef = alloc();
  const widgetRefs = single ? [fieldRef] : opts.placements.map(() => alloc());
  const imageRef = alloc();
  const smaskRef = alloc();

  // The signature dictionary, laid out by hand: fixed-width ByteRange, zero-filled Contents.
  const sig: string[] = ['<< /Type /Sig /Filter /Adobe.PPKLite', `/SubFilter /${opts.subFilter}`, `/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, `/Contents <${'0'.repeat(contentsBytes * 2)}>`];
  sig.push(`/M ${serializePdfObject(pdfDate(opts.signingTime ?? new Date()))}`);
  for (const [key, value] of [['Name', opts.name], ['Reason', opts.reason], ['Location', opts.location], ['ContactInfo', opts.contactInfo]] as const) {
    if (value !== undefined) sig.push(`/${key} ${serializePdfObject(encodeTextString(value))}`);
  }
  objects.push({ num: sigRef.num, gen: 0, raw: `${sig.join(' ')} >>` });

  const seal = encodeSealImage(opts.image.png);
  put(imageRef, seal.image(smaskRef));
  put(smaskRef, seal.smask);

  const annotsByPage = new Map<number, PdfRef[]>();
  opts.placements.forEach((pl, i) => {
    const page = pages[pl.page - 1];
    const box = displayedBoxToUserSpace(page, pl);
    const apRef = alloc();
    put(apRef, appearance(box.width, box.height, box.matrix, imageRef, pl.slice));
    const widget: PdfDict = new Map<string, PdfObject>([
      ['Type', 'Annot'],
      ['Subtype', 'Widget'],
      ['Rect', box.rect.map(round)],
      ['P', page.ref],
      ['F', WIDGET_FLAGS],
      ['AP', new Map([['N', apRef]])],
    ]);
    if (single) {
      widget.set('FT', 'Sig');
      widget.set('T', encodeTextString(fieldName));
      widget.set('V', sigRef);
    } else {
      widget.set('Parent', fieldRef);
      // /V is inheritable, so the same value on each widget changes nothing for readers that walk the
      // field tree; poppler (pdfsig, Okular, Evince) takes a kid with /Parent for a field of its own
      // and reads /V from it alone — without this it would list each widget as an unsigned field.
      widget.set('V', sigRef);
    }
    put(widgetRefs[i], widget);
    annotsByPage.set(page.index, [...(annotsByPage.get(page.index) ?? []), widgetRefs[i]]);
  });
  if (!single) {
    put(fieldRef, new Map<string, PdfObject>([['FT', 'Sig'], ['T', encodeTextString(fieldName)], ['V', sigRef], ['Kids', widgetRefs]]));
  }

  for (const [index, refs] of annotsByPage) addAnnots(file, pages[index - 1], refs, put);
  updateAcroForm(file, catalogRef, catalog, acroFormValue, acroForm, fieldRef, put, alloc);

  const update = writeIncrementalUpdate(file, objects, next);
  const sigAt = update.offsets.get(sigRef.num)! - pdf.length;
  const bytes = update.bytes;
  const brAt = bytes.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, sigAt, 'latin1') + '/ByteRange '.length;
  const contentsOffset = pdf.length + bytes.indexOf('/Contents <', sigAt, 'latin1') + '/Contents '.length;
  const contentsLength = contentsBytes * 2 + 2;
  const total = pdf.length + bytes.length;
  const byteRange: [number, number, number, number] = [0, contentsOffset, contentsOffset + contentsLength, total - contentsOffset - contentsLength];
  const written = `[${byteRange.join(' ')}]`;
  if (written.length > BYTE_RANGE_PLACEHOLDER.length) throw new PdfError('pdf_unsupported', 'the PDF is too large to sign (10 GB or more)');
  bytes.write(written.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), brAt, 'latin1');

  const out = Buffer.allocUnsafe(total); // every byte is written next
  out.set(pdf, 0);
  out.set(bytes, pdf.length);
  return { pdf: out, byteRange, contentsOffset, contentsLength, fieldName };
}

function numberOr(v: PdfObject | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fallback;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function checkPlacements(file: PdfFile, pages: PageNode[], placements: SlicedPlacement[]): void {
  const content = new Map<number, boolean>();
  for (const p of placements) {
    if (!Number.isInteger(p.page) || p.page < 1 || p.page > pages.length) {
      throw new PdfError('pdf_page_out_of_range', `page ${p.page} is not in the document (it has ${pages.length})`, p.page);
    }
    if (![p.xMm, p.yMm, p.widthMm, p.heightMm].every(Number.isFinite) || p.widthMm <= 0 || p.heightMm <= 0) {
      throw new RangeError(`the placement on page ${p.page} needs a finite position and a positive size`);
    }
    if (p.slice && !(Number.isInteger(p.slice.of) && p.slice.of >= 1 && Number.isInteger(p.slice.index) && p.slice.index >= 0 && p.slice.index < p.slice.of)) {
      throw new RangeError(`the placement on page ${p.page} names slice ${p.slice.index} of ${p.slice.of}`);
    }
    if (!content.has(p.page)) content.set(p.page, pageHasContent(file, pages[p.page - 1].dict));
    if (!content.get(p.page)) throw new PdfError('pdf_blank_page', `page ${p.page} is blank (no text, image or drawing): a seal is never put on a blank page`, p.page);
  }
}

/** A DocMDP certification with /P 1 forbids any change, a signature included (ISO 32000-2 §12.8.2.2). */
function refuseIfCertifiedWithoutChanges(file: PdfFile): void {
  const perms = file.dict(file.catalog().get('Perms'));
  const docMdp = file.dict(perms?.get('DocMDP'));
  const refs = file.resolve(docMdp?.get('Reference'));
  if (!Array.isArray(refs)) return;
  for (const r of refs) {
    const ref = file.dict(r);
    if (ref?.get('TransformMethod') !== 'DocMDP') continue;
    const p = file.dict(ref.get('TransformParams'))?.get('P') ?? 2;
    if (p === 1) throw new PdfError('pdf_unsupported', 'the document is certified with no changes allowed: a further signature would break the certification');
  }
}

function defaultFieldName(names: Set<string>): string {
  for (let n = 1; ; n++) if (!names.has(`Signature${n}`)) return `Signature${n}`;
}

/**
 * The appearance: a Form XObject as large as the placement (as displayed), rotated upright by its
 * /Matrix, drawing the image across it — or, for a slice, clipped to the box with the whole image
 * shifted left by the slices before it.
 */
function appearance(width: number, height: number, matrix: number[], image: PdfRef, slice?: { index: number; of: number }): PdfStream {
  const w = serializeNumber(round(width));
  const h = serializeNumber(round(height));
  const content = slice
    ? `q 0 0 ${w} ${h} re W n ${serializeNumber(round(width * slice.of))} 0 0 ${h} ${serializeNumber(round(-width * slice.index))} 0 cm /Im1 Do Q`
    : `q ${w} 0 0 ${h} 0 0 cm /Im1 Do Q`;
  const dict: PdfDict = new Map<string, PdfObject>([
    ['Type', 'XObject'],
    ['Subtype', 'Form'],
    ['BBox', [0, 0, round(width), round(height)]],
    ['Matrix', matrix],
    ['Resources', new Map<string, PdfObject>([['XObject', new Map([['Im1', image]])]])],
  ]);
  return new PdfStream(dict, Buffer.from(content, 'latin1'));
}

/** The page's /Annots with the widgets added: a new revision of the array object if it is one, else of the page. */
function addAnnots(file: PdfFile, page: PageNode, refs: PdfRef[], put: (ref: PdfRef, v: PdfObject) => void): void {
  const annots = page.dict.get('Annots');
  if (annots instanceof PdfRef) {
    const arr = file.resolve(annots);
    if (Array.isArray(arr)) {
      put(annots, [...arr, ...refs]);
      return;
    }
  }
  const dict = new Map(page.dict);
  dict.set('Annots', [...(Array.isArray(annots) ? annots : []), ...refs]);
  put(page.ref, dict);
}

function updateAcroForm(
  file: PdfFile,
  catalogRef: PdfRef,
  catalog: PdfDict,
  value: PdfObject | undefined,
  acroForm: PdfDict | undefined,
  fieldRef: PdfRef,
  put: (ref: PdfRef, v: PdfObject) => void,
  alloc: () => PdfRef,
): void {
  const form: PdfDict = new Map(acroForm ?? []);
  const fields = form.get('Fields');
  const fieldsArr = file.resolve(fields);
  if (fields instanceof PdfRef && Array.isArray(fieldsArr)) put(fields, [...fieldsArr, fieldRef]);
  else form.set('Fields', [...(Array.isArray(fieldsArr) ? fieldsArr : []), fieldRef]);
  form.set('SigFlags', 3);
  if (value instanceof PdfRef && acroForm) {
    put(value, form);
    return;
  }
  const newCatalog = new Map(catalog);
  if (acroForm && isDict(value)) {
    newCatalog.set('AcroForm', form);
  } else {
    const ref = alloc();
    put(ref, form);
    newCatalog.set('AcroForm', ref);
  }
  put(catalogRef, newCatalog);
}
