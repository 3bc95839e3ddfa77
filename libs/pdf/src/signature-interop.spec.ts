import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossPagePlacements } from './cross-page-placement-planner';
import { readPdfPages } from './pdf-page-reader';
import { pdfsig, qpdfCheck, requirePeers } from './pdf-tools.spec-helper';
import { embedSignature } from './signature-embedder';
import { prepareSignature, type PrepareSignatureOptions } from './signature-preparer';
import { readPdfSignatures } from './signature-reader';
import { signedChunks } from './signed-chunks-reader';
import { A4, buildTestPdf, GREY_CONTENT, sealPng } from './test-pdfs.spec-helper';

/**
 * Real signatures by a peer: OpenSSL signs the ByteRange's bytes (a detached CMS over them, P-256
 * key, self-signed certificate), this library prepares and embeds, pdfsig verifies. Certificate
 * trust is not the question here (the seal-service's e2e runs ecert's chain): the signature value
 * and the coverage are.
 */
const ready = requirePeers('libs/pdf: signatures made by OpenSSL, verified by pdfsig', 'openssl', 'pdfsig', 'certutil', 'qpdf');

describe.skipIf(!ready)('signatures made by OpenSSL over prepared PDFs, verified by pdfsig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecert-pdf-sign-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '30', '-subj', '/CN=ecert pdf test signer', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'], { stdio: 'ignore' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** prepare → OpenSSL CMS over the signed chunks → embed. */
  function sign(pdf: Uint8Array, opts: Partial<PrepareSignatureOptions> & Pick<PrepareSignatureOptions, 'placements'>): Uint8Array {
    const prepared = prepareSignature(pdf, { image: { png: sealPng() }, subFilter: 'adbe.pkcs7.detached', reason: '盖章', ...opts });
    writeFileSync(join(dir, 'data'), Buffer.concat(signedChunks(prepared.pdf, prepared.byteRange)));
    execFileSync('openssl', ['cms', '-sign', '-binary', '-in', join(dir, 'data'), '-signer', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-md', 'sha256', '-outform', 'DER', '-out', join(dir, 'cms.der'), '-nosmimecap'], { stdio: 'ignore' });
    return embedSignature(prepared, readFileSync(join(dir, 'cms.der')));
  }

  it('a 骑缝 seal across two pages (one field, a widget per page) and a second seal: pdfsig finds every signature valid, the last covering the whole file', async () => {
    const pdf = buildTestPdf({ xref: 'stream', pages: [{ mediaBox: A4, content: GREY_CONTENT }, { mediaBox: A4, rotate: 90, content: GREY_CONTENT }] });
    const once = sign(pdf, { placements: crossPagePlacements(readPdfPages(pdf), { yMm: 100, widthMm: 40, heightMm: 40 }) });
    const first = await pdfsig(once);
    // poppler lists the field once per widget; each is the same signature.
    expect(first.signatures.map((s) => [s.fieldName, s.signatureValidation, s.totalDocumentSigned])).toEqual([
      ['Signature1', 'Signature is Valid.', true],
      ['Signature1', 'Signature is Valid.', true],
    ]);

    const twice = sign(once, { placements: [{ page: 1, xMm: 20, yMm: 20, widthMm: 30, heightMm: 30 }] });
    const second = await pdfsig(twice);
    expect(second.signatures.map((s) => [s.fieldName, s.signatureValidation, s.totalDocumentSigned])).toEqual([
      ['Signature1', 'Signature is Valid.', false],
      ['Signature1', 'Signature is Valid.', false],
      ['Signature2', 'Signature is Valid.', true],
    ]);
    expect((await qpdfCheck(twice)).exitCode).toBe(0);
    const sigs = readPdfSignatures(twice);
    expect(sigs.map((s) => [s.fieldName, s.pages, s.coversWholeFileButContents, s.laterRevisions.map((r) => r.addsOnlySignaturesOrAnnotations)])).toEqual([
      ['Signature1', [1, 2], true, [true]],
      ['Signature2', [1], true, []],
    ]);
    // The container read back is OpenSSL's, padding removed.
    expect(sigs[1].contents[0]).toBe(0x30);
  });

  it('a byte changed inside the signed range is a digest mismatch for pdfsig', async () => {
    const signed = Buffer.from(sign(buildTestPdf(), { placements: [{ page: 1, xMm: 20, yMm: 20, widthMm: 30, heightMm: 30 }] }));
    signed[11] ^= 0x01; // inside the binary comment after %PDF-1.7: signed, but read by nobody
    const report = await pdfsig(signed);
    expect(report.signatures[0].signatureValid).toBe(false);
  });
});
