import { PdfError } from './pdf-error';
import type { PdfFile } from './pdf-file-reader';
import { PdfRef, type PdfDict, type PdfObject } from './pdf-object';

export type PdfBox = [number, number, number, number];

/** A page as the writer and the placement need it: where it is, and its inherited attributes. */
export interface PageNode {
  /** 1-based. */
  index: number;
  ref: PdfRef;
  dict: PdfDict;
  mediaBox: PdfBox;
  /** Clipped to the MediaBox, as readers show it. */
  cropBox: PdfBox;
  rotate: 0 | 90 | 180 | 270;
  resources?: PdfDict;
}

const MAX_DEPTH = 64;
/** US Letter: the MediaBox readers assume for a page that has none. */
const DEFAULT_MEDIA_BOX: PdfBox = [0, 0, 612, 792];

/** The pages in order, from the catalog's /Pages tree, with MediaBox, CropBox, Rotate and Resources inherited (as of `revision`, default the newest). */
export function readPageTree(file: PdfFile, revision?: number): PageNode[] {
  const root = file.catalog(revision).get('Pages');
  if (!(root instanceof PdfRef)) throw new PdfError('pdf_malformed', 'the catalog has no /Pages tree');
  const pages: PageNode[] = [];
  const seen = new Set<string>();
  const walk = (ref: PdfRef, inherited: { media?: PdfObject; crop?: PdfObject; rotate?: PdfObject; resources?: PdfObject }, depth: number) => {
    if (depth > MAX_DEPTH) throw new PdfError('pdf_malformed', 'the page tree nests too deeply');
    if (seen.has(ref.key)) throw new PdfError('pdf_malformed', `the page tree visits ${ref.key} twice`);
    seen.add(ref.key);
    const node = file.dict(ref, revision);
    if (!node) throw new PdfError('pdf_malformed', `the page tree names ${ref.key}, which is not a dictionary`);
    const here = {
      media: node.get('MediaBox') ?? inherited.media,
      crop: node.get('CropBox') ?? inherited.crop,
      rotate: node.get('Rotate') ?? inherited.rotate,
      resources: node.get('Resources') ?? inherited.resources,
    };
    const kids = file.resolve(node.get('Kids'), revision);
    const type = node.get('Type');
    if (type === 'Pages' || (type !== 'Page' && Array.isArray(kids))) {
      if (!Array.isArray(kids)) throw new PdfError('pdf_malformed', `the page tree node ${ref.key} has no /Kids`);
      for (const kid of kids) if (kid instanceof PdfRef) walk(kid, here, depth + 1);
      return;
    }
    const mediaBox = box(file, here.media, revision) ?? DEFAULT_MEDIA_BOX;
    const crop = box(file, here.crop, revision);
    const resources = file.dict(here.resources, revision);
    pages.push({
      index: pages.length + 1,
      ref,
      dict: node,
      mediaBox,
      cropBox: crop ? intersect(crop, mediaBox) : mediaBox,
      rotate: rotation(file.resolve(here.rotate, revision)),
      ...(resources ? { resources } : {}),
    });
  };
  walk(root, {}, 0);
  return pages;
}

/** A rectangle as [llx lly urx ury] (corners in either order in the file). */
function box(file: PdfFile, v: PdfObject | undefined, revision?: number): PdfBox | undefined {
  const a = file.resolve(v, revision);
  if (!Array.isArray(a) || a.length !== 4) return undefined;
  const n = a.map((x) => file.resolve(x, revision));
  if (!n.every((x): x is number => typeof x === 'number' && Number.isFinite(x))) return undefined;
  return [Math.min(n[0], n[2]), Math.min(n[1], n[3]), Math.max(n[0], n[2]), Math.max(n[1], n[3])];
}

function intersect(a: PdfBox, b: PdfBox): PdfBox {
  const r: PdfBox = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  // A CropBox outside the MediaBox: readers fall back to the MediaBox.
  return r[0] < r[2] && r[1] < r[3] ? r : b;
}

/** /Rotate as readers take it: a multiple of 90, any sign, else 0. */
function rotation(v: PdfObject): 0 | 90 | 180 | 270 {
  if (typeof v !== 'number' || !Number.isInteger(v) || v % 90 !== 0) return 0;
  return (((v % 360) + 360) % 360) as 0 | 90 | 180 | 270;
}

