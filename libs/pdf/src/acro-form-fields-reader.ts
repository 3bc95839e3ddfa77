import type { PdfFile } from './pdf-file-reader';
import { PdfRef, PdfString, type PdfDict, type PdfObject } from './pdf-object';
import { decodeTextString } from './pdf-text-string-codec';

export interface FormField {
  /** Fully qualified: the partial names (/T) from the top, joined by dots. */
  name: string;
  ref?: PdfRef;
  dict: PdfDict;
  /** /FT, inherited from the ancestors. */
  type?: string;
  /** The widget annotations: the field itself when it is merged with its widget, else its kids without /T. */
  widgets: { ref?: PdfRef; dict: PdfDict }[];
}

const MAX_DEPTH = 32;

/** The terminal fields of an AcroForm (/Fields and their /Kids), with names and widgets. */
export function collectFields(file: PdfFile, acroForm: PdfDict | undefined, revision?: number): FormField[] {
  const out: FormField[] = [];
  const seen = new Set<string>();
  const walk = (value: PdfObject, parentName: string, parentType: string | undefined, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (value instanceof PdfRef) {
      if (seen.has(value.key)) return;
      seen.add(value.key);
    }
    const dict = file.dict(value, revision);
    if (!dict) return;
    const t = dict.get('T');
    const partial = t instanceof PdfString ? decodeTextString(t) : undefined;
    const name = partial === undefined ? parentName : parentName ? `${parentName}.${partial}` : partial;
    const ftValue = dict.get('FT');
    const type = typeof ftValue === 'string' ? ftValue : parentType;
    const kids = file.resolve(dict.get('Kids'), revision);
    const kidList = Array.isArray(kids) ? kids : [];
    const fieldKids = kidList.filter((k) => file.dict(k, revision)?.has('T'));
    if (fieldKids.length > 0) {
      for (const k of fieldKids) walk(k, name, type, depth + 1);
      return;
    }
    const widgets = kidList.length > 0
      ? kidList.flatMap((k) => {
          const d = file.dict(k, revision);
          return d ? [{ ...(k instanceof PdfRef ? { ref: k } : {}), dict: d }] : [];
        })
      : dict.get('Subtype') === 'Widget' || dict.has('Rect')
        ? [{ ...(value instanceof PdfRef ? { ref: value } : {}), dict }]
        : [];
    out.push({ name, ...(value instanceof PdfRef ? { ref: value } : {}), dict, ...(type ? { type } : {}), widgets });
  };
  const fields = file.resolve(acroForm?.get('Fields'), revision);
  if (Array.isArray(fields)) for (const f of fields) walk(f, '', undefined, 0);
  return out;
}
