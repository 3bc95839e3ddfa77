import type { MaterialMediaType } from '@ecert/contracts';
import { inspectJpeg, isJpeg } from './jpeg-inspector';
import { MaterialRejectedError } from './material-rejected-error';
import { inspectPdf, pdfHeaderOffset } from './pdf/pdf-inspector';
import { inspectPng, isPng } from './png-inspector';

export interface MaterialInspection {
  mediaType: MaterialMediaType;
}

export interface InspectMaterialOptions {
  /** Largest accepted size in bytes (`MATERIAL_MAX_BYTES`). */
  maxBytes: number;
}

/**
 * What an uploaded material is, decided by its bytes alone — never by its file name or declared
 * Content-Type, which the uploader chose — and proof that it is a whole file of that type: a
 * PDF without active content, or an image that decodes. Throws `MaterialRejectedError`.
 * Every service that reads a material runs this itself; none believes another's verdict.
 */
export function inspectMaterial(bytes: Uint8Array, opts: InspectMaterialOptions): MaterialInspection {
  if (bytes.byteLength === 0) throw new MaterialRejectedError('material_empty', 'the material is empty');
  if (bytes.byteLength > opts.maxBytes) {
    throw new MaterialRejectedError('material_too_large', `the material has ${bytes.byteLength} bytes; at most ${opts.maxBytes} are accepted`);
  }
  if (isPng(bytes)) return refusePolyglot(bytes, inspectPng(bytes));
  if (isJpeg(bytes)) return refusePolyglot(bytes, inspectJpeg(bytes));
  if (pdfHeaderOffset(bytes) !== undefined) return inspectPdf(bytes);
  throw new MaterialRejectedError('material_type_unsupported', 'the material is not a PDF, JPEG or PNG file (judged by its content, not its name)');
}

/** An image that also carries a PDF header would be a PDF to a reader that sniffs: neither is accepted. */
function refusePolyglot<T extends MaterialInspection>(bytes: Uint8Array, inspection: T): T {
  if (pdfHeaderOffset(bytes) !== undefined) {
    throw new MaterialRejectedError('material_malformed', `the ${inspection.mediaType} image also carries a PDF header in its first 1024 bytes`);
  }
  return inspection;
}
