/**
 * The PDF peers (qpdf, pdftoppm, pdfsig) for this library's specs, on bytes: the shared harness of
 * test/support/pdf-peers.ts runs them on files, so each call writes the bytes to a scratch file.
 * Guard a spec file with `requirePeers(...)` at its top level (one skip line, or a failing test
 * under CI=true).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pdfsigReport, qpdfCheck as qpdfCheckFile, renderPage as renderFile, type PdfsigReport, type QpdfCheckResult, type RgbaImage } from '../../../test/support/pdf-peers';

export { requirePeers, type RgbaImage } from '../../../test/support/pdf-peers';

/** Runs `fn` on a scratch file holding `pdf`, removed afterwards. */
export async function withPdfFile<T>(pdf: Uint8Array, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ecert-pdf-'));
  try {
    const path = join(dir, 'in.pdf');
    writeFileSync(path, pdf);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const qpdfCheck = (pdf: Uint8Array): Promise<QpdfCheckResult> => withPdfFile(pdf, (p) => qpdfCheckFile(p));

/** The displayed page (CropBox, rotation applied) rendered by pdftoppm, RGBA. */
export const renderPage = (pdf: Uint8Array, page: number, dpi: number): Promise<RgbaImage> => withPdfFile(pdf, (p) => renderFile(p, page, dpi));

/** pdfsig's listing, without certificate validation (the specs' containers are dummies). */
export const pdfsig = (pdf: Uint8Array): Promise<PdfsigReport> => withPdfFile(pdf, (p) => pdfsigReport(p, { noCertificateValidation: true }));

/** A box of pixels [x0, y0, x1, y1] from the image's top-left. */
export type PxBox = [number, number, number, number];

export const isRed = (img: RgbaImage, i: number) => img.data[i] > 150 && img.data[i + 1] < 90 && img.data[i + 2] < 90;
export const isBlue = (img: RgbaImage, i: number) => img.data[i + 2] > 150 && img.data[i] < 90 && img.data[i + 1] < 90;

/**
 * Pixels that `pick` accepts inside the box and outside it (a 2 px margin for antialiasing); with
 * `before`, only those it did not accept before count inside, and outside counts every pixel that
 * changed — for real documents that have colours of their own.
 */
export function inkCount(img: RgbaImage, box: PxBox, pick: (img: RgbaImage, i: number) => boolean, before?: RgbaImage): { inside: number; outside: number; area: number } {
  const c = { inside: 0, outside: 0, area: (box[2] - box[0]) * (box[3] - box[1]) };
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      const inBox = x >= box[0] - 2 && x <= box[2] + 2 && y >= box[1] - 2 && y <= box[3] + 2;
      if (before) {
        if (inBox && pick(img, i) && !pick(before, i)) c.inside++;
        if (!inBox && (img.data[i] !== before.data[i] || img.data[i + 1] !== before.data[i + 1] || img.data[i + 2] !== before.data[i + 2])) c.outside++;
      } else if (pick(img, i)) {
        if (inBox) c.inside++;
        else c.outside++;
      }
    }
  }
  return c;
}
