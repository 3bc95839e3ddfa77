/**
 * The peers that judge ecert's PDFs (issue 11 §5): poppler's `pdfsig`, `pdftoppm`, `pdfinfo` and
 * `pdftotext`, `qpdf --check`, `openssl cms -verify`, and NSS's `certutil` for pdfsig's trust store.
 * Each function runs the real tool and returns what it said, parsed; none of them judges: the
 * tests do.
 *
 * The tools are optional (the platform needs none of them): a spec file says which it uses with
 * `describe.skipIf(!requirePeers('what the tests cover', 'pdfsig', 'qpdf'))(...)`, so that a
 * machine without them skips with one line naming the apt package, and CI (CI=true) fails.
 * Calling a function whose tool is missing throws an error naming that package.
 *
 * Everything is asynchronous on purpose: a test may run ecert's OCSP responder in its own process,
 * and pdfsig asks the OCSP URL of the signer's certificate (below), so a blocking spawn would
 * deadlock it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pngjs from 'pngjs';
import { onPath, requireTool } from './optional-tool';

// ---------------------------------------------------------------------------------------------
// Tools

export const PEER_TOOLS = {
  pdfsig: { command: 'pdfsig', apt: 'poppler-utils' },
  pdftoppm: { command: 'pdftoppm', apt: 'poppler-utils' },
  pdfinfo: { command: 'pdfinfo', apt: 'poppler-utils' },
  pdftotext: { command: 'pdftotext', apt: 'poppler-utils' },
  qpdf: { command: 'qpdf', apt: 'qpdf' },
  certutil: { command: 'certutil', apt: 'libnss3-tools' },
  pk12util: { command: 'pk12util', apt: 'libnss3-tools' },
  openssl: { command: 'openssl', apt: 'openssl' },
} as const;
export type PeerTool = keyof typeof PEER_TOOLS;

/** Whether a peer is installed (on PATH). */
export function hasPeer(tool: PeerTool): boolean {
  return onPath(PEER_TOOLS[tool].command);
}

/**
 * For the top of a spec file: whether every named peer is installed. When some are missing, one
 * skip line of `requireTool` (or, under CI=true, one failing test) names them and their apt
 * packages.
 */
export function requirePeers(tests: string, ...tools: PeerTool[]): boolean {
  const missing = [...new Set(tools)].filter((t) => !hasPeer(t));
  return requireTool({
    name: missing.map((t) => PEER_TOOLS[t].command).join(', ') || tools.join(', '),
    present: missing.length === 0,
    apt: [...new Set(missing.map((t) => PEER_TOOLS[t].apt))].join(' '),
    tests,
  });
}

function assertPeer(tool: PeerTool): void {
  if (!hasPeer(tool)) {
    const { command, apt } = PEER_TOOLS[tool];
    throw new Error(`${command} is not installed (apt-get install ${apt} adds it); guard the spec with requirePeers()`);
  }
}

interface Run {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a peer; resolves whatever its exit code (a peer's "no" is an answer, not an error). */
function run(tool: PeerTool, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  assertPeer(tool);
  return new Promise((resolve, reject) => {
    execFile(
      PEER_TOOLS[tool].command,
      args,
      { cwd: opts.cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${PEER_TOOLS[tool].command} ${args.join(' ')}: ${err.message}`));
          return;
        }
        resolve({ exitCode: err ? (err.code as number) : 0, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

/** A scratch folder for one call, removed afterwards. */
async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ecert-peer-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A path for `data`: the path itself, or a temporary file holding the bytes. */
function asFile(dir: string, name: string, data: string | Uint8Array): string {
  if (typeof data === 'string') return data;
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

const passwordArgs = (o: { password?: string; ownerPassword?: string }) => [
  ...(o.ownerPassword !== undefined ? ['-opw', o.ownerPassword] : []),
  ...(o.password !== undefined ? ['-upw', o.password] : []),
];

// ---------------------------------------------------------------------------------------------
// pdfsig (poppler)

export interface ByteRangePart {
  /** First byte offset. */
  readonly start: number;
  /** Offset just past the last byte (pdfsig prints `[start - end]`; end = start + length). */
  readonly end: number;
}

export interface PdfsigSignature {
  /** 1-based, in the order pdfsig lists them (the order of the AcroForm fields). */
  readonly index: number;
  readonly fieldName?: string;
  readonly signerCommonName?: string;
  readonly signerDn?: string;
  readonly signingTime?: string;
  readonly hashAlgorithm?: string;
  /** e.g. `adbe.pkcs7.detached`, `ETSI.CAdES.detached`. */
  readonly signatureType?: string;
  readonly signedRanges: readonly ByteRangePart[];
  /** pdfsig's "Total document signed" (vs "Not total document signed"). */
  readonly totalDocumentSigned: boolean;
  /** As printed, e.g. `Signature is Valid.`, `Digest Mismatch.`. */
  readonly signatureValidation?: string;
  /** As printed, e.g. `Certificate is Trusted.`, `Certificate issuer isn't Trusted.`. */
  readonly certificateValidation?: string;
  readonly signatureValid: boolean;
  readonly certificateTrusted: boolean;
  /** Every `- key: value` line of the signature as printed, for what the fields above do not name. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface PdfsigReport {
  /** 0 when it read the signatures (valid or not), 2 when there are none, 1 when it could not read the file. */
  readonly exitCode: number;
  /** pdfsig said "does not contain any signatures". */
  readonly noSignatures: boolean;
  readonly signatures: readonly PdfsigSignature[];
  readonly stdout: string;
  readonly stderr: string;
}

export interface PdfsigOptions {
  /**
   * The NSS database pdfsig trusts (made with `makeNssDb`). Without it a fresh empty one is used,
   * never the machine's own (~/.pki/nssdb), so a certificate is then never trusted.
   */
  readonly nssDir?: string;
  /** User password of an encrypted file. */
  readonly password?: string;
  readonly ownerPassword?: string;
  /** `-nocert`: skip certificate validation (no "Certificate Validation" line). */
  readonly noCertificateValidation?: boolean;
}

/**
 * `pdfsig` on a file, each signature parsed. About certificate validation with poppler 22.12 and
 * NSS 3.87 (Debian 12): pdfsig validates at the current time (an expired signer is "Certificate has
 * Expired" whatever the signing time); it asks the OCSP responder named in the signer's AIA, and a
 * responder that does not answer makes it "Unknown issue with Certificate or corrupted data.", so a
 * test expecting "Certificate is Trusted." must run ecert's OCSP at that URL or sign with a
 * certificate without an OCSP URL; `-no-ocsp` gives that same "Unknown issue" for every
 * certificate, which is why this helper never passes it.
 */
export async function pdfsigReport(pdfPath: string, opts: PdfsigOptions = {}): Promise<PdfsigReport> {
  const go = async (nssDir: string) => {
    const args = ['-nssdir', nssDir, ...passwordArgs(opts), ...(opts.noCertificateValidation ? ['-nocert'] : []), pdfPath];
    const r = await run('pdfsig', args);
    return parsePdfsig(r.exitCode, r.stdout.toString('utf8'), r.stderr);
  };
  if (opts.nssDir) return go(opts.nssDir);
  return withTempDir(async (dir) => go(await makeNssDb(join(dir, 'nss'), [])));
}

/** Parses pdfsig's text (exported for the harness's own tests). */
export function parsePdfsig(exitCode: number, stdout: string, stderr = ''): PdfsigReport {
  const signatures: PdfsigSignature[] = [];
  let current: { index: number; fields: Record<string, string>; total?: boolean } | undefined;
  const flush = () => {
    if (!current) return;
    const f = current.fields;
    const ranges = [...(f['Signed Ranges'] ?? '').matchAll(/\[(\d+) - (\d+)\]/g)].map((m) => ({ start: Number(m[1]), end: Number(m[2]) }));
    signatures.push({
      index: current.index,
      fieldName: f['Signature Field Name'],
      signerCommonName: f['Signer Certificate Common Name'],
      signerDn: f['Signer full Distinguished Name'],
      signingTime: f['Signing Time'],
      hashAlgorithm: f['Signing Hash Algorithm'],
      signatureType: f['Signature Type'],
      signedRanges: ranges,
      totalDocumentSigned: current.total === true,
      signatureValidation: f['Signature Validation'],
      certificateValidation: f['Certificate Validation'],
      signatureValid: f['Signature Validation'] === 'Signature is Valid.',
      certificateTrusted: f['Certificate Validation'] === 'Certificate is Trusted.',
      fields: f,
    });
    current = undefined;
  };
  for (const line of stdout.split('\n')) {
    const head = /^Signature #(\d+):\s*$/.exec(line);
    if (head) {
      flush();
      current = { index: Number(head[1]), fields: {} };
      continue;
    }
    const item = /^\s+- (.*?)\s*$/.exec(line);
    if (!item || !current) continue;
    const text = item[1];
    if (text === 'Total document signed') current.total = true;
    else if (text === 'Not total document signed') current.total = false;
    else {
      const colon = text.indexOf(': ');
      if (colon > 0) current.fields[text.slice(0, colon)] = text.slice(colon + 2);
      else if (text.endsWith(':')) current.fields[text.slice(0, -1)] = '';
      else current.fields[text] = '';
    }
  }
  flush();
  return { exitCode, noSignatures: /does not contain any signatures/.test(stdout + stderr), signatures, stdout, stderr };
}

/** The signature containers (DER CMS, as in /Contents) of every signature, by `pdfsig -dump`. */
export async function pdfsigDump(pdfPath: string, opts: { password?: string; ownerPassword?: string } = {}): Promise<Buffer[]> {
  const pdf = readFileSync(pdfPath);
  return withTempDir(async (dir) => {
    const nss = await makeNssDb(join(dir, 'nss'), []);
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'doc.pdf'), pdf);
    const r = await run('pdfsig', ['-nssdir', nss, '-nocert', ...passwordArgs(opts), '-dump', 'doc.pdf'], { cwd: out });
    if (r.exitCode === 2) return [];
    if (r.exitCode !== 0) throw new Error(`pdfsig -dump ${basename(pdfPath)} exited ${r.exitCode}: ${r.stderr.trim()}`);
    return readdirSync(out)
      .map((f) => /^doc\.pdf\.sig(\d+)$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => readFileSync(join(out, m[0])));
  });
}

/** The bytes a signature covers: its ranges of the file, concatenated (the CMS's detached content). */
export function signedBytes(pdf: Uint8Array, ranges: readonly ByteRangePart[]): Buffer {
  return Buffer.concat(ranges.map((r) => pdf.subarray(r.start, r.end)));
}

// ---------------------------------------------------------------------------------------------
// NSS database for pdfsig (certutil, libnss3-tools)

export interface NssDbOptions {
  /** CA certificates to add without trust (intermediates), PEM. */
  readonly intermediatesPem?: readonly string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Makes an NSS database (sql format, empty password) in `dir` that trusts `rootCaPem` (one or more
 * PEM certificates, in one string or several) as a CA for everything: trust `CT,C,C`. Returns `dir`,
 * ready for `pdfsigReport(…, { nssDir })`. `dir` is created if missing and must not hold a database.
 */
export async function makeNssDb(dir: string, rootCaPem: string | readonly string[], opts: NssDbOptions = {}): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const db = `sql:${dir}`;
  const created = await run('certutil', ['-N', '-d', db, '--empty-password']);
  if (created.exitCode !== 0) throw new Error(`certutil -N -d ${db}: ${created.stderr.trim()}`);
  const pems = (s: string | readonly string[]) => (typeof s === 'string' ? [s] : s).flatMap((p) => p.match(PEM_CERT) ?? []);
  const add = async (pem: string, nick: string, trust: string) => {
    const file = join(dir, `${nick}.pem`);
    writeFileSync(file, `${pem}\n`);
    const r = await run('certutil', ['-A', '-d', db, '-n', nick, '-t', trust, '-a', '-i', file]);
    rmSync(file);
    if (r.exitCode !== 0) throw new Error(`certutil -A ${nick}: ${r.stderr.trim()}`);
  };
  const given = typeof rootCaPem === 'string' ? [rootCaPem] : rootCaPem;
  const roots = pems(given);
  if (given.length > 0 && roots.length === 0) throw new Error('makeNssDb: no PEM certificate in rootCaPem');
  for (const [i, pem] of roots.entries()) await add(pem, `root-${i + 1}`, 'CT,C,C');
  for (const [i, pem] of pems(opts.intermediatesPem ?? []).entries()) await add(pem, `intermediate-${i + 1}`, ',,');
  return dir;
}

/** The nicknames and trust flags of an NSS database (`certutil -L`). */
export async function nssDbCertificates(dir: string): Promise<{ nickname: string; trust: string }[]> {
  const r = await run('certutil', ['-L', '-d', `sql:${dir}`]);
  if (r.exitCode !== 0) throw new Error(`certutil -L: ${r.stderr.trim()}`);
  return r.stdout
    .toString('utf8')
    .split('\n')
    .map((l) => /^(.*\S)\s+(\S*,\S*,\S*)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[1].startsWith('Certificate Nickname'))
    .map((m) => ({ nickname: m[1], trust: m[2] }));
}

// ---------------------------------------------------------------------------------------------
// qpdf --check

export interface QpdfCheckResult {
  /** 0: no problem found; 3: warnings only (qpdf could read it); 2: errors. */
  readonly exitCode: number;
  /** exit 0: no syntax or stream encoding error and no warning. */
  readonly ok: boolean;
  /** Each `WARNING: <file>: ` message, without that prefix. */
  readonly warnings: readonly string[];
  /** Each `qpdf: <file>: ` error, without that prefix (with exit 2). */
  readonly errors: readonly string[];
  /** From the report's header lines, when qpdf got that far. */
  readonly version?: string;
  readonly encrypted?: boolean;
  readonly linearized?: boolean;
  readonly output: string;
}

/** `qpdf --check` on a file (with `--password` for an encrypted one). */
export async function qpdfCheck(pdfPath: string, opts: { password?: string } = {}): Promise<QpdfCheckResult> {
  const r = await run('qpdf', [...(opts.password !== undefined ? [`--password=${opts.password}`] : []), '--check', pdfPath]);
  const output = `${r.stdout.toString('utf8')}${r.stderr}`;
  const lines = output.split('\n');
  const strip = (l: string, prefix: string) => {
    const rest = l.slice(prefix.length);
    return rest.startsWith(`${pdfPath}: `) ? rest.slice(pdfPath.length + 2) : rest;
  };
  const warnings = lines.filter((l) => l.startsWith('WARNING: ')).map((l) => strip(l, 'WARNING: '));
  const errors = lines
    .filter((l) => l.startsWith('qpdf: ') && !/operation succeeded with warnings/.test(l))
    .map((l) => strip(l, 'qpdf: '));
  const version = /^PDF Version: (\S+)/m.exec(output)?.[1];
  const encrypted = /^File is not encrypted/m.test(output) ? false : /^R = \d/m.test(output) ? true : undefined;
  const linearized = /^File is not linearized/m.test(output) ? false : /^File is linearized/m.test(output) ? true : undefined;
  return { exitCode: r.exitCode, ok: r.exitCode === 0, warnings, errors, version, encrypted, linearized, output };
}

// ---------------------------------------------------------------------------------------------
// openssl cms -verify

export interface CmsVerifyOptions {
  /** The signature container: DER bytes, or a path. */
  readonly cms: string | Uint8Array;
  /** The detached content (for a PDF: `signedBytes(pdf, ranges)`): bytes, or a path. */
  readonly content: string | Uint8Array;
  /** PEM file of the trust anchors. */
  readonly caFile: string;
  /** Extra untrusted certificates (PEM file), e.g. intermediates not in the container. */
  readonly untrustedFile?: string;
  /** Validate the chain at this time instead of now (`-attime`). */
  readonly at?: Date;
  /**
   * `-purpose`; default `any`, since openssl's default (S/MIME signing) wants an email-protection
   * extended key usage a seal or document-signing certificate need not have.
   */
  readonly purpose?: string;
  /** `-noverify`: check the signature only, not the signer's chain. */
  readonly noChainVerify?: boolean;
  readonly inform?: 'DER' | 'PEM';
}

/** The certificates a CMS container carries, as PEM (`openssl pkcs7 -print_certs`), signer's first or not. */
export async function cmsCertificatesPem(cms: string | Uint8Array, inform: 'DER' | 'PEM' = 'DER'): Promise<string[]> {
  return withTempDir(async (dir) => {
    const r = await run('openssl', ['pkcs7', '-inform', inform, '-in', asFile(dir, 'sig.p7s', cms), '-print_certs']);
    if (r.exitCode !== 0) throw new Error(`openssl pkcs7 -print_certs: ${r.stderr.trim()}`);
    return r.stdout.toString('utf8').match(PEM_CERT) ?? [];
  });
}

export interface CmsVerifyResult {
  readonly ok: boolean;
  readonly exitCode: number;
  /** openssl's messages ("CMS Verification successful" or the failure and its reasons). */
  readonly stderr: string;
}

/** `openssl cms -verify -binary` of a detached CMS SignedData over its content. */
export async function opensslCmsVerify(o: CmsVerifyOptions): Promise<CmsVerifyResult> {
  return withTempDir(async (dir) => {
    const args = [
      'cms', '-verify', '-binary',
      '-inform', o.inform ?? 'DER',
      '-in', asFile(dir, 'sig.p7s', o.cms),
      '-content', asFile(dir, 'content.bin', o.content),
      '-CAfile', o.caFile,
      ...(o.untrustedFile ? ['-certfile', o.untrustedFile] : []),
      '-purpose', o.purpose ?? 'any',
      ...(o.at ? ['-attime', String(Math.floor(o.at.getTime() / 1000))] : []),
      ...(o.noChainVerify ? ['-noverify'] : []),
      '-out', join(dir, 'out.bin'),
    ];
    const r = await run('openssl', args);
    return { ok: r.exitCode === 0, exitCode: r.exitCode, stderr: r.stderr };
  });
}

// ---------------------------------------------------------------------------------------------
// Rendering (pdftoppm) and the seal's ink

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row by row from the top left. */
  readonly data: Uint8Array;
}

export interface RenderOptions {
  readonly password?: string;
  /**
   * What is rendered: `crop` (default) the CropBox, as a viewer shows the page; `media` the
   * MediaBox. Either way the page's /Rotate is applied, as a viewer does.
   */
  readonly box?: 'crop' | 'media';
  readonly hideAnnotations?: boolean;
}

/** Page `page` (1-based) rendered by `pdftoppm -png` at `dpi`, decoded to RGBA; ceil(points × dpi / 72) pixels a side. */
export async function renderPage(pdfPath: string, page: number, dpi: number, opts: RenderOptions = {}): Promise<RgbaImage> {
  return withTempDir(async (dir) => {
    const root = join(dir, 'page');
    const args = [
      '-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile',
      ...((opts.box ?? 'crop') === 'crop' ? ['-cropbox'] : []),
      ...(opts.hideAnnotations ? ['-hide-annotations'] : []),
      ...(opts.password !== undefined ? ['-upw', opts.password] : []),
      pdfPath, root,
    ];
    const r = await run('pdftoppm', args);
    if (r.exitCode !== 0) throw new Error(`pdftoppm could not render page ${page} of ${basename(pdfPath)} (exit ${r.exitCode}): ${r.stderr.trim()}`);
    const png = pngjs.PNG.sync.read(readFileSync(`${root}.png`));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  });
}

/** A rectangle of pixels, from the image's top-left corner. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What counts as seal ink: red high, green and blue low. */
export interface InkThresholds {
  readonly minRed?: number;
  readonly maxGreen?: number;
  readonly maxBlue?: number;
}

/** Length in pixels of `mm` millimetres at `dpi`. */
export const mmToPx = (mm: number, dpi: number): number => (mm / 25.4) * dpi;
/** Length in pixels of `pt` PDF points at `dpi`. */
export const ptToPx = (pt: number, dpi: number): number => (pt / 72) * dpi;

/** Whether a pixel is seal ink (red-ish and not transparent). */
export function isRedPixel(img: RgbaImage, x: number, y: number, t: InkThresholds = {}): boolean {
  const i = (y * img.width + x) * 4;
  const [r, g, b, a] = [img.data[i], img.data[i + 1], img.data[i + 2], img.data[i + 3]];
  return a > 0 && r >= (t.minRed ?? 150) && g <= (t.maxGreen ?? 100) && b <= (t.maxBlue ?? 100);
}

/**
 * How many pixels of `box` (clipped to the image, fractional edges rounded outwards) are seal ink:
 * R ≥ 150, G ≤ 100, B ≤ 100 by default. Anti-aliased edges (pink) do not count.
 */
export function redPixelsIn(img: RgbaImage, box: PixelBox = { x: 0, y: 0, width: img.width, height: img.height }, t: InkThresholds = {}): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (isRedPixel(img, x, y, t)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// pdfinfo and pdftotext (poppler)

export interface PdfInfoPage {
  readonly page: number;
  /** Size in points as displayed, before rotation (pdfinfo's "size"). */
  readonly width: number;
  readonly height: number;
  readonly rotation: number;
  readonly mediaBox: readonly number[];
  readonly cropBox: readonly number[];
}

export interface PdfInfo {
  readonly exitCode: number;
  readonly pages?: number;
  readonly version?: string;
  readonly encrypted?: boolean;
  /** Every `Key: value` of pdfinfo's summary. */
  readonly fields: Readonly<Record<string, string>>;
  readonly pageInfo: readonly PdfInfoPage[];
  readonly stderr: string;
}

/** `pdfinfo -box` with every page listed (size, /Rotate, MediaBox, CropBox). */
export async function pdfInfo(pdfPath: string, opts: { password?: string; ownerPassword?: string } = {}): Promise<PdfInfo> {
  const head = await run('pdfinfo', [...passwordArgs(opts), pdfPath]);
  const fields = parseColonLines(head.stdout.toString('utf8'));
  const pages = fields.Pages !== undefined ? Number(fields.Pages) : undefined;
  const base = {
    pages,
    version: fields['PDF version'],
    encrypted: fields.Encrypted !== undefined ? fields.Encrypted.startsWith('yes') : undefined,
    fields,
  };
  if (head.exitCode !== 0 || !pages) return { exitCode: head.exitCode, ...base, pageInfo: [], stderr: head.stderr };
  const all = await run('pdfinfo', ['-box', '-f', '1', '-l', String(pages), ...passwordArgs(opts), pdfPath]);
  const per = new Map<number, { size?: number[]; rot?: number; media?: number[]; crop?: number[] }>();
  for (const line of all.stdout.toString('utf8').split('\n')) {
    const m = /^Page\s+(\d+)\s+(size|rot|MediaBox|CropBox):\s+(.*)$/.exec(line);
    if (!m) continue;
    const p = per.get(Number(m[1])) ?? {};
    const nums = [...m[3].matchAll(/-?\d+(?:\.\d+)?/g)].map((x) => Number(x[0]));
    if (m[2] === 'size') p.size = nums;
    else if (m[2] === 'rot') p.rot = nums[0];
    else if (m[2] === 'MediaBox') p.media = nums;
    else p.crop = nums;
    per.set(Number(m[1]), p);
  }
  const pageInfo = [...per.entries()]
    .sort(([a], [b]) => a - b)
    .map(([page, p]) => ({ page, width: p.size?.[0] ?? NaN, height: p.size?.[1] ?? NaN, rotation: p.rot ?? 0, mediaBox: p.media ?? [], cropBox: p.crop ?? [] }));
  return { exitCode: all.exitCode, ...base, pageInfo, stderr: head.stderr + all.stderr };
}

function parseColonLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1].trim()] = m[2];
  }
  return out;
}

/** The text of one page (or of all, without `page`) as `pdftotext` extracts it (reading order, UTF-8). */
export async function pdfText(pdfPath: string, page?: number, opts: { password?: string } = {}): Promise<string> {
  const range = page !== undefined ? ['-f', String(page), '-l', String(page)] : [];
  const r = await run('pdftotext', ['-enc', 'UTF-8', ...range, ...(opts.password !== undefined ? ['-upw', opts.password] : []), pdfPath, '-']);
  if (r.exitCode !== 0) throw new Error(`pdftotext ${basename(pdfPath)} exited ${r.exitCode}: ${r.stderr.trim()}`);
  return r.stdout.toString('utf8');
}
