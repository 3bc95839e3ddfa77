import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, requireTool } from '../../../test/support/optional-tool';

/** Call once per spec file, at its top level (requireTool may add a test). */
export const HAVE_QPDF = () =>
  requireTool({ name: 'qpdf', present: onPath('qpdf'), apt: 'qpdf', tests: 'libs/pdf structure checks of signed PDFs (qpdf --check)' });
export const HAVE_POPPLER = () =>
  requireTool({
    name: 'poppler (pdftoppm, pdftotext, pdfsig)',
    present: onPath('pdftoppm') && onPath('pdftotext') && onPath('pdfsig'),
    apt: 'poppler-utils',
    tests: 'libs/pdf checks by poppler (placed seals rendered, text boxes, signatures listed)',
  });

/** Runs `fn` with a temporary directory, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ecert-pdf-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `qpdf --check` on the bytes: its exit status (0 clean, 2 errors, 3 warnings) and output. */
export function qpdfCheck(pdf: Uint8Array): { status: number; output: string } {
  return withTempDir((dir) => {
    const path = join(dir, 'in.pdf');
    writeFileSync(path, pdf);
    const r = spawnSync('qpdf', ['--check', path], { encoding: 'utf8' });
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
  });
}

/** pdfsig's report on the bytes (it exits non-zero for unverifiable signatures; the text is what counts). */
export function pdfsig(pdf: Uint8Array): string {
  return withTempDir((dir) => {
    const path = join(dir, 'in.pdf');
    writeFileSync(path, pdf);
    const r = spawnSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  });
}

/** The displayed page `page` rendered by pdftoppm (CropBox, rotation applied) at `dpi`, as RGB rows. */
export function renderPage(pdf: Uint8Array, page: number, dpi: number): { width: number; height: number; rgb: Buffer } {
  return withTempDir((dir) => {
    const path = join(dir, 'in.pdf');
    writeFileSync(path, pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), '-cropbox', '-singlefile', path, join(dir, 'out')]);
    return readPpm(join(dir, 'out.ppm'));
  });
}

function readPpm(path: string): { width: number; height: number; rgb: Buffer } {
  const buf = readFileSync(path);
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PPM');
  return { width: Number(header[1]), height: Number(header[2]), rgb: buf.subarray(header[0].length) };
}
