/**
 * The peer harness (pdf-peers.ts) on the real fixtures (test/fixtures/pdfs): each fixture is what
 * its catalogue entry says according to the peers themselves, and each helper parses what its tool
 * really prints: qpdf's check of good, warned-about, encrypted and broken files; pdfsig on unsigned
 * files, on a signature someone else made, and on one poppler makes here under a root trusted in an
 * NSS database from makeNssDb; openssl cms on the extracted containers; pdftoppm renderings and the
 * red-ink count on a real page stamped with a red square by qpdf --overlay.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PDF_FIXTURES, PDF_FIXTURES } from './pdf-fixtures';
import {
  cmsCertificatesPem,
  makeNssDb,
  mmToPx,
  nssDbCertificates,
  opensslCmsVerify,
  parsePdfsig,
  pdfInfo,
  pdfsigDump,
  pdfsigReport,
  pdfText,
  ptToPx,
  qpdfCheck,
  redPixelsIn,
  renderPage,
  requirePeers,
  signedBytes,
  type RgbaImage,
} from './pdf-peers';

const exec = promisify(execFile);
const HAVE_PEERS = requirePeers('PDF peer harness (pdfsig, qpdf, openssl cms, pdftoppm)', 'qpdf', 'pdfsig', 'pdftoppm', 'pdfinfo', 'pdftotext', 'certutil', 'pk12util', 'openssl');

/** The one-signature fixture's facts, as pdfsig reports them. */
const SIGNED = { field: 'Signature2', cn: 'John Doe', ranges: [{ start: 0, end: 59_599 }, { start: 64_087, end: 68_846 }], signedAt: new Date('2019-09-27T11:54:52Z') };

describe('parsePdfsig (the text pdfsig prints)', () => {
  it('reads each signature, the ranges and the two validations', () => {
    const r = parsePdfsig(
      0,
      [
        'Digital Signature Info of: x.pdf',
        'Signature #1:',
        '  - Signature Field Name: Sig1',
        '  - Signer Certificate Common Name: 某某单位',
        '  - Signing Hash Algorithm: SHA-256',
        '  - Signature Type: ETSI.CAdES.detached',
        '  - Signed Ranges: [0 - 100], [200 - 300]',
        '  - Total document signed',
        '  - Signature Validation: Signature is Valid.',
        '  - Certificate Validation: Certificate is Trusted.',
        'Signature #2:',
        '  - Signed Ranges: [0 - 400], [500 - 600]',
        '  - Not total document signed',
        '  - Signature Validation: Digest Mismatch.',
        '',
      ].join('\n'),
    );
    expect(r.noSignatures).toBe(false);
    expect(r.signatures).toHaveLength(2);
    expect(r.signatures[0]).toMatchObject({ index: 1, fieldName: 'Sig1', signerCommonName: '某某单位', signatureType: 'ETSI.CAdES.detached', totalDocumentSigned: true, signatureValid: true, certificateTrusted: true });
    expect(r.signatures[0].signedRanges).toEqual([{ start: 0, end: 100 }, { start: 200, end: 300 }]);
    expect(r.signatures[1]).toMatchObject({ index: 2, totalDocumentSigned: false, signatureValid: false, signatureValidation: 'Digest Mismatch.', certificateTrusted: false });
  });

  it('says when there are none', () => {
    const r = parsePdfsig(2, "File 'x.pdf' does not contain any signatures\n");
    expect(r).toMatchObject({ exitCode: 2, noSignatures: true, signatures: [] });
  });
});

describe('redPixelsIn (seal ink in a box)', () => {
  const img = (w: number, h: number, paint: (x: number, y: number) => [number, number, number, number]): RgbaImage => {
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(paint(x, y), (y * w + x) * 4);
    return { width: w, height: h, data };
  };

  it('counts red, not black, pink (anti-aliasing), transparent or what is outside the box', () => {
    const i = img(10, 10, (x, y) => (x < 5 && y < 5 ? [220, 30, 40, 255] : x >= 5 && y < 5 ? [0, 0, 0, 255] : y === 9 ? [255, 180, 180, 255] : x === 0 ? [255, 0, 0, 0] : [255, 255, 255, 255]));
    expect(redPixelsIn(i)).toBe(25);
    expect(redPixelsIn(i, { x: 0, y: 0, width: 2, height: 3 })).toBe(6);
    expect(redPixelsIn(i, { x: 5, y: 0, width: 5, height: 10 })).toBe(0);
    expect(redPixelsIn(i, { x: -3, y: -3, width: 5, height: 5 })).toBe(4);
    expect(redPixelsIn(i, { x: 0, y: 0, width: 10, height: 10 }, { minRed: 230 })).toBe(0);
  });

  it('converts millimetres and points to pixels', () => {
    expect(mmToPx(25.4, 96)).toBe(96);
    expect(ptToPx(72, 150)).toBe(150);
  });
});

describe.skipIf(!HAVE_PEERS)('pdf peers on the real fixtures', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ecert-peers-spec-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('qpdfCheck', () => {
    it.each(ALL_PDF_FIXTURES.map((f) => [f.file, f] as const))('%s: what the catalogue says', async (_, f) => {
      const r = await qpdfCheck(f.path, { password: f.passwords?.user || undefined });
      expect({ status: r.ok ? 'ok' : r.exitCode === 3 ? 'warnings' : 'errors' }, r.output).toEqual({ status: f.qpdfCheck });
      if (f.qpdfCheck === 'ok') expect(r.warnings).toEqual([]);
      if (f.qpdfCheck === 'warnings') expect(r.warnings.length).toBeGreaterThan(0);
    });

    it('reads the version, encryption and linearization of a good file', async () => {
      expect(await qpdfCheck(PDF_FIXTURES.cjk.path)).toMatchObject({ exitCode: 0, ok: true, version: '1.5', encrypted: false, linearized: false, errors: [] });
      expect(await qpdfCheck(PDF_FIXTURES.encryptedOwnerOnly.path)).toMatchObject({ ok: true, encrypted: true });
      expect(await qpdfCheck(PDF_FIXTURES.signed.path)).toMatchObject({ exitCode: 3, ok: false, linearized: true, errors: [] });
    });

    it('names the errors of the broken file and of a missing password', async () => {
      const broken = await qpdfCheck(PDF_FIXTURES.broken.path);
      expect(broken).toMatchObject({ exitCode: 2, ok: false });
      expect(broken.errors.join('\n')).toMatch(/unable to find trailer dictionary/);
      expect(broken.warnings).toContain('file is damaged');
      const locked = await qpdfCheck(PDF_FIXTURES.encryptedUserPassword.path);
      expect(locked).toMatchObject({ exitCode: 2, ok: false });
      expect(locked.errors.join('\n')).toMatch(/invalid password/);
    });
  });

  describe('pdfInfo and pdfText', () => {
    it.each(ALL_PDF_FIXTURES.filter((f) => f.pages).map((f) => [f.file, f] as const))('%s: pages, version, keyword', async (_, f) => {
      const password = f.passwords?.user || undefined;
      const info = await pdfInfo(f.path, { password });
      expect(info.exitCode).toBe(0);
      expect(info.pages).toBe(f.pages);
      expect(info.version).toBe(f.version);
      expect(info.encrypted).toBe(f.cases.includes('encrypted'));
      expect(info.pageInfo.map((p) => p.rotation)).toEqual(f.rotations ?? Array(f.pages).fill(0));
      if (f.boxes) expect({ mediaBox: info.pageInfo[0].mediaBox, cropBox: info.pageInfo[0].cropBox }).toEqual(f.boxes);
      if (f.keyword) expect(await pdfText(f.path, 1, { password })).toContain(f.keyword);
    });

    it('cannot read the broken file', async () => {
      expect((await pdfInfo(PDF_FIXTURES.broken.path)).exitCode).not.toBe(0);
    });
  });

  describe('pdfsigReport', () => {
    it.each(ALL_PDF_FIXTURES.filter((f) => f.signatures === 0 && !f.cases.includes('broken')).map((f) => [f.file, f] as const))('%s: no signatures', async (_, f) => {
      const r = await pdfsigReport(f.path, { password: f.passwords?.user || undefined });
      expect(r).toMatchObject({ exitCode: 2, noSignatures: true, signatures: [] });
    });

    it('fails on the broken file', async () => {
      const r = await pdfsigReport(PDF_FIXTURES.broken.path);
      expect(r.exitCode).toBe(1);
      expect(r.signatures).toEqual([]);
    });

    it("reads someone else's signature: valid, whole document, certificate expired", async () => {
      const r = await pdfsigReport(PDF_FIXTURES.signed.path);
      expect(r.exitCode).toBe(0);
      expect(r.signatures).toHaveLength(1);
      expect(r.signatures[0]).toMatchObject({
        index: 1,
        fieldName: SIGNED.field,
        signerCommonName: SIGNED.cn,
        signatureType: 'adbe.pkcs7.detached',
        hashAlgorithm: 'SHA-256',
        signedRanges: SIGNED.ranges,
        totalDocumentSigned: true,
        signatureValid: true,
        signatureValidation: 'Signature is Valid.',
        certificateValidation: 'Certificate has Expired',
        certificateTrusted: false,
      });
    });

    it('sees a changed byte inside the signed range', async () => {
      const bytes = Buffer.from(readFileSync(PDF_FIXTURES.signed.path));
      bytes[30_000] ^= 0x01;
      const tampered = join(work, 'tampered.pdf');
      writeFileSync(tampered, bytes);
      const [sig] = (await pdfsigReport(tampered)).signatures;
      expect(sig.signatureValid).toBe(false);
      expect(sig.signatureValidation).toBe('Digest Mismatch.');
    });
  });

  describe('pdfsigDump, signedBytes and opensslCmsVerify', () => {
    let cms: Buffer;
    let content: Buffer;
    let signerPem: string;
    beforeAll(async () => {
      [cms] = await pdfsigDump(PDF_FIXTURES.signed.path);
      content = signedBytes(readFileSync(PDF_FIXTURES.signed.path), SIGNED.ranges);
      [signerPem] = await cmsCertificatesPem(cms);
      writeFileSync(join(work, 'john-doe.pem'), signerPem);
    });

    it('extracts the one container and its signer', async () => {
      expect(await pdfsigDump(PDF_FIXTURES.cjk.path)).toEqual([]);
      expect(cms[0]).toBe(0x30);
      expect(content.length).toBe(59_599 + (68_846 - 64_087));
      expect(signerPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    });

    it('verifies it at signing time with its self-signed signer as the anchor', async () => {
      const r = await opensslCmsVerify({ cms, content, caFile: join(work, 'john-doe.pem'), at: new Date(SIGNED.signedAt.getTime() + 3_600_000) });
      expect(r.ok, r.stderr).toBe(true);
      expect(r.stderr).toMatch(/Verification successful/);
    });

    it('refuses it now (expired), over other content, and accepts the signature alone with noChainVerify', async () => {
      const caFile = join(work, 'john-doe.pem');
      const now = await opensslCmsVerify({ cms, content, caFile });
      expect(now.ok).toBe(false);
      expect(now.stderr).toMatch(/certificate has expired/);
      const other = Buffer.from(content);
      other[100] ^= 0x01;
      expect((await opensslCmsVerify({ cms, content: other, caFile, noChainVerify: true })).ok).toBe(false);
      expect((await opensslCmsVerify({ cms, content, caFile, noChainVerify: true })).ok).toBe(true);
    });
  });

  describe('makeNssDb with a signature poppler makes here', () => {
    let pki: string;
    let signedPdf: string;
    let rootPem: string;
    beforeAll(async () => {
      // A root and a signer (RSA: poppler 22.12 cannot finish an ECDSA signature), the signer's key
      // in a database of its own, then `pdfsig -add-signature` on a real fixture.
      pki = join(work, 'pki');
      const o = (...args: string[]) => exec('openssl', args, { cwd: pki });
      await exec('mkdir', ['-p', pki]);
      await o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=Peer Harness Root', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
      await o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'signer.key', '-out', 'signer.csr', '-subj', '/CN=Peer Harness Signer');
      writeFileSync(join(pki, 'ext'), 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
      await o('x509', '-req', '-in', 'signer.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '2', '-out', 'signer.pem', '-days', '30', '-extfile', 'ext');
      await o('pkcs12', '-export', '-inkey', 'signer.key', '-in', 'signer.pem', '-name', 'signer', '-passout', 'pass:', '-out', 'signer.p12');
      rootPem = readFileSync(join(pki, 'root.pem'), 'utf8');
      const keys = await makeNssDb(join(pki, 'keys'), rootPem);
      await exec('pk12util', ['-i', join(pki, 'signer.p12'), '-d', `sql:${keys}`, '-W', '']);
      signedPdf = join(pki, 'signed.pdf');
      await exec('pdfsig', ['-nssdir', keys, '-add-signature', '-nick', 'signer', '-new-signature-field-name', 'PeerSig', PDF_FIXTURES.cjk.path, signedPdf]);
    });

    it('trusts the root as CT,C,C', async () => {
      const dir = await makeNssDb(join(pki, 'trust'), rootPem);
      expect(await nssDbCertificates(dir)).toEqual([{ nickname: 'root-1', trust: 'CT,C,C' }]);
      await expect(makeNssDb(join(pki, 'none'), 'not a certificate')).rejects.toThrow(/no PEM certificate/);
    });

    it('pdfsig: valid and trusted with the root in the database, not trusted without it', async () => {
      const trusted = await pdfsigReport(signedPdf, { nssDir: await makeNssDb(join(pki, 'trust2'), rootPem) });
      expect(trusted.signatures).toHaveLength(1);
      expect(trusted.signatures[0]).toMatchObject({ fieldName: 'PeerSig', signerCommonName: 'Peer Harness Signer', totalDocumentSigned: true, signatureValid: true, certificateTrusted: true });
      const untrusted = (await pdfsigReport(signedPdf)).signatures[0];
      expect(untrusted.signatureValid).toBe(true);
      expect(untrusted.certificateTrusted).toBe(false);
    });

    it('the result is incremental (the original bytes untouched), passes qpdf --check and openssl cms', async () => {
      const original = readFileSync(PDF_FIXTURES.cjk.path);
      const signed = readFileSync(signedPdf);
      expect(signed.subarray(0, original.length).equals(original)).toBe(true);
      expect((await qpdfCheck(signedPdf)).ok).toBe(true);
      const [sig] = (await pdfsigReport(signedPdf)).signatures;
      const [container] = await pdfsigDump(signedPdf);
      const r = await opensslCmsVerify({ cms: container, content: signedBytes(signed, sig.signedRanges), caFile: join(pki, 'root.pem') });
      expect(r.ok, r.stderr).toBe(true);
    });
  });

  describe('renderPage and redPixelsIn', () => {
    const DPI = 50;

    it('renders the visible page: A4, rotated pages turned, the CropBox not the MediaBox', async () => {
      const a4 = await renderPage(PDF_FIXTURES.cjk.path, 1, DPI);
      expect([a4.width, a4.height]).toEqual([Math.ceil(ptToPx(595.28, DPI)), Math.ceil(ptToPx(841.89, DPI))]); // pdftoppm rounds up
      expect(a4.data.length).toBe(a4.width * a4.height * 4);
      const upright = await renderPage(PDF_FIXTURES.rotated.path, 1, DPI);
      const turned = await renderPage(PDF_FIXTURES.rotated.path, 4, DPI); // /Rotate 90
      expect(upright.width).toBeLessThan(upright.height);
      expect([turned.width, turned.height]).toEqual([upright.height, upright.width]);
      const crop = await renderPage(PDF_FIXTURES.cropboxOffset.path, 1, 72);
      expect([crop.width, crop.height]).toEqual([329, 204]);
      const media = await renderPage(PDF_FIXTURES.cropboxOffset.path, 1, 72, { box: 'media' });
      expect([media.width, media.height]).toEqual([612, 792]);
      const locked = await renderPage(PDF_FIXTURES.encryptedUserPassword.path, 1, DPI, { password: 'view' });
      expect(locked.width).toBe(Math.ceil(ptToPx(612, DPI)));
      await expect(renderPage(PDF_FIXTURES.broken.path, 1, DPI)).rejects.toThrow(/could not render/);
    });

    it('finds no seal ink on the black-and-white exam page, and finds a red square where qpdf --overlay put it', async () => {
      const page = await renderPage(PDF_FIXTURES.cjk.path, 1, DPI);
      expect(redPixelsIn(page)).toBe(0);

      // A red 120 x 120 pt square at (100, 600) in PDF space (origin bottom left), laid over page 1.
      const [w, h] = [595.28, 841.89];
      const square = { x: 100, y: 600, size: 120 };
      const overlay = join(work, 'red-square.pdf');
      writeFileSync(overlay, onePagePdf(w, h, `1 0 0 rg ${square.x} ${square.y} ${square.size} ${square.size} re f`));
      const stamped = join(work, 'stamped.pdf');
      await exec('qpdf', [PDF_FIXTURES.cjk.path, '--overlay', overlay, '--', stamped]);
      const img = await renderPage(stamped, 1, DPI);

      const box = { x: ptToPx(square.x, DPI), y: ptToPx(h - square.y - square.size, DPI), width: ptToPx(square.size, DPI), height: ptToPx(square.size, DPI) };
      const area = box.width * box.height;
      const inside = redPixelsIn(img, box);
      expect(inside).toBeGreaterThan(area * 0.9);
      expect(redPixelsIn(img)).toBeLessThanOrEqual(Math.ceil(box.width + 2) * Math.ceil(box.height + 2));
      expect(redPixelsIn(img, { ...box, y: box.y + box.height + 2 })).toBe(0);
      expect(redPixelsIn(await renderPage(stamped, 2, DPI))).toBe(0);
    });
  });
});

/** A one-page PDF with `content` as its page's content stream (for the overlay above). */
function onePagePdf(width: number, height: number, content: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Contents 4 0 R /Resources << >> >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
