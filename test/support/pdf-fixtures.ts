import { fileURLToPath } from 'node:url';

/** Where the real PDFs live (their provenance and licences: README.md there). */
export const PDF_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/pdfs/', import.meta.url));

/** What a fixture exercises, for tests that pick fixtures by case rather than by name. */
export type PdfCase =
  | 'cjk'
  | 'xref-stream'
  | 'object-streams'
  | 'rotated'
  | 'incremental'
  | 'signed'
  | 'linearized'
  | 'encrypted'
  | 'needs-password'
  | 'pdf-2.0'
  | 'tagged'
  | 'cropbox-offset'
  | 'annotations'
  | 'broken';

export interface PdfFixture {
  /** File name in test/fixtures/pdfs. */
  readonly file: string;
  /** Absolute path. */
  readonly path: string;
  readonly cases: readonly PdfCase[];
  /** The header's version (`%PDF-x.y`). */
  readonly version: string;
  /** Page count; undefined for the broken file, which has none a reader can find. */
  readonly pages?: number;
  /** `/Rotate` of each page, first page first, when any page is rotated. */
  readonly rotations?: readonly number[];
  /** MediaBox and CropBox of page 1 when they differ ([llx, lly, urx, ury], points). */
  readonly boxes?: { readonly mediaBox: readonly number[]; readonly cropBox: readonly number[] };
  /** Passwords of an encrypted file (the user password is '' when it opens without one). */
  readonly passwords?: { readonly user: string; readonly owner: string };
  /** Signatures already in the file. */
  readonly signatures: number;
  /**
   * What `qpdf --check` says of the file as committed (with the user password when it needs one):
   * a sealed file must add nothing to it.
   */
  readonly qpdfCheck: 'ok' | 'warnings' | 'errors';
  /** A text on page 1 that pdftotext extracts, for keyword placement. */
  readonly keyword?: string;
}

const fixture = (f: Omit<PdfFixture, 'path'>): PdfFixture => ({ ...f, path: `${PDF_FIXTURES_DIR}${f.file}` });

export const PDF_FIXTURES = {
  cjk: fixture({
    file: 'cjk-exam-zh.pdf',
    cases: ['cjk', 'xref-stream', 'object-streams'],
    version: '1.5',
    pages: 3,
    signatures: 0,
    qpdfCheck: 'ok',
    keyword: '答题卡',
  }),
  rotated: fixture({
    file: 'rotated-pages.pdf',
    cases: ['rotated'],
    version: '1.4',
    pages: 20,
    rotations: [0, 180, 270, 90, 180, 0, 0, 0, 0, 0, 180, 180, 180, 90, 0, 270, 90, 270, 0, 0],
    signatures: 0,
    qpdfCheck: 'ok',
    keyword: 'Original page 1',
  }),
  incremental: fixture({
    file: 'incremental-updates.pdf',
    cases: ['incremental'],
    version: '1.3',
    pages: 1,
    signatures: 0,
    qpdfCheck: 'ok',
    keyword: 'Salad',
  }),
  signed: fixture({
    file: 'signed-pkcs7.pdf',
    cases: ['signed', 'linearized', 'xref-stream'],
    version: '1.6',
    pages: 1,
    signatures: 1,
    qpdfCheck: 'warnings',
    keyword: 'Potato',
  }),
  encryptedUserPassword: fixture({
    file: 'encrypted-aes256-user-password.pdf',
    cases: ['encrypted', 'needs-password', 'linearized'],
    version: '1.7',
    pages: 30,
    passwords: { user: 'view', owner: 'master' },
    signatures: 0,
    qpdfCheck: 'warnings',
    keyword: 'Potato 0',
  }),
  encryptedOwnerOnly: fixture({
    file: 'encrypted-aes256-owner-only.pdf',
    cases: ['encrypted'],
    version: '1.7',
    pages: 30,
    passwords: { user: '', owner: 'master' },
    signatures: 0,
    qpdfCheck: 'ok',
    keyword: 'Potato 0',
  }),
  pdf20: fixture({
    file: 'pdf-2.0-tagged.pdf',
    cases: ['pdf-2.0', 'tagged', 'xref-stream', 'object-streams'],
    version: '2.0',
    pages: 2,
    signatures: 0,
    qpdfCheck: 'ok',
    keyword: 'A Two Column Example',
  }),
  cropboxOffset: fixture({
    file: 'cropbox-offset.pdf',
    cases: ['cropbox-offset', 'annotations'],
    version: '1.6',
    pages: 1,
    boxes: { mediaBox: [0, 0, 612, 792], cropBox: [84.75, 501.75, 413.25, 705.75] },
    signatures: 0,
    qpdfCheck: 'ok',
    keyword: 'Hello PDF.js World',
  }),
  broken: fixture({
    file: 'broken-truncated.pdf',
    cases: ['broken'],
    version: '1.5',
    signatures: 0,
    qpdfCheck: 'errors',
  }),
} as const satisfies Record<string, PdfFixture>;

export type PdfFixtureName = keyof typeof PDF_FIXTURES;

export const ALL_PDF_FIXTURES: readonly PdfFixture[] = Object.values(PDF_FIXTURES);

/** The fixtures a sealer should accept: readable without a password, not broken. */
export const SEALABLE_PDF_FIXTURES: readonly PdfFixture[] = ALL_PDF_FIXTURES.filter(
  (f) => !f.cases.includes('broken') && !f.cases.includes('encrypted'),
);

/** The fixtures with this case. */
export function pdfFixturesWith(c: PdfCase): readonly PdfFixture[] {
  return ALL_PDF_FIXTURES.filter((f) => f.cases.includes(c));
}
