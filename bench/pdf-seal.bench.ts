import { createHash, createPrivateKey, createPublicKey, randomBytes, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { digestChunks, prepareSignedAttributes, checkSignatureOverAttributes, assembleSignedData, signDetached, verifySignedData, digestAlgorithmOf } from '@ecert/cms';
import { embedSignature, prepareSignature, readPdfSignatures, signedChunks } from '@ecert/pdf';
import { OID, type Signer } from '@ecert/pki';
import { PNG } from 'pngjs';
import { mustRun } from './procs';

/**
 * Document sealing in-process (libs/pdf + libs/cms, no NATS, no database), next to the SHA-256
 * rate of the same machine: a sealing is bounded below by hashing the file once, so the ratio
 * time / (size ÷ SHA-256 rate) shows what the PDF and CMS work add on top.
 *
 * - server-side: prepareSignature (incremental update with the seal's appearance) → SHA-256 over
 *   the ByteRange → signDetached (P-256, PAdES B-B) → embedSignature;
 * - deferred: prepare = prepareSignature + digest + prepareSignedAttributes (what the UKey is
 *   sent); embed = checkSignatureOverAttributes + assembleSignedData + embedSignature;
 * - verify: readPdfSignatures + digest of the ByteRange + verifySignedData.
 * Peak memory is the largest rise of the process's RSS + external buffers sampled during the
 * operation, against the file size.
 */
export interface PdfSealBenchResults {
  sha256MBPerS: number;
  files: {
    bytes: number;
    serverSideMs: number;
    serverSidePeakBytes: number;
    deferredPrepareMs: number;
    deferredEmbedMs: number;
    verifyMs: number;
    /** server-side time ÷ (bytes ÷ SHA-256 rate): 1.0 = nothing but the hash. */
    overHash: number;
  }[];
  runs: number;
}

/** A one-page PDF with a text line and a stored (uncompressed) image of random bytes padding it to `bytes`. */
function paddedPdf(bytes: number): Buffer {
  const side = Math.max(1, Math.floor(Math.sqrt(Math.max(0, bytes - 2000) / 3)));
  const image = randomBytes(side * side * 3);
  const content = Buffer.from('BT /F1 14 Tf 72 760 Td (ecert benchmark declaration) Tj ET q 200 0 0 200 72 400 cm /Im0 Do Q');
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im0 6 0 R >> >> >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${image.length} >>\nstream\n`), image, Buffer.from('\nendstream')]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    offset += obj.length;
  });
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

function sealPicture(): Uint8Array {
  const size = 300;
  const png = new PNG({ width: size, height: size });
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const i = (y * size + x) * 4;
      const ink = (d > c - 14 && d < c - 2) || (d < c * 0.25);
      png.data[i] = 220;
      png.data[i + 1] = 20;
      png.data[i + 2] = 30;
      png.data[i + 3] = ink ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}

async function p256Certificate(dir: string): Promise<{ signer: Signer; der: Uint8Array; keyPem: string }> {
  const key = path.join(dir, 'seal.key');
  const cert = path.join(dir, 'seal.der');
  await mustRun('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/C=CN/O=ecert bench/CN=南宁市某某科技有限公司', '-days', '30', '-outform', 'DER', '-out', cert]);
  const keyPem = readFileSync(key, 'utf8');
  const privateKey = createPrivateKey(keyPem);
  const der = new Uint8Array(readFileSync(cert));
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const signer: Signer = { algorithm: 'EC-P256', signatureAlgorithmOid: OID.ecdsaWithSha256, spki, sign: async (data) => new Uint8Array(nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'der' })) };
  return { signer, der, keyPem };
}

/** Median of `runs` timings of `fn`, with the largest memory rise seen while it ran. */
async function measure(runs: number, fn: () => Promise<void>): Promise<{ ms: number; peakBytes: number }> {
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const base = process.memoryUsage();
    const baseline = base.rss;
    let top = baseline;
    const sampler = setInterval(() => (top = Math.max(top, process.memoryUsage().rss)), 2);
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    clearInterval(sampler);
    top = Math.max(top, process.memoryUsage().rss);
    peak = Math.max(peak, top - baseline);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, peakBytes: peak };
}

export async function runPdfSealBench(opts: { sizes?: number[]; runs?: number; log?: (s: string) => void } = {}): Promise<PdfSealBenchResults> {
  const log = opts.log ?? (() => undefined);
  const runs = opts.runs ?? 7;
  const sizes = opts.sizes ?? [1024 * 1024, 50 * 1024 * 1024];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecert-pdf-bench-'));
  try {
    const { signer, der } = await p256Certificate(dir);
    const picture = sealPicture();
    const big = randomBytes(Math.max(...sizes));
    const hashRun = await measure(runs, async () => void createHash('sha256').update(big).digest());
    const sha256MBPerS = big.length / 1024 / 1024 / (hashRun.ms / 1000);
    log(`  SHA-256 of ${(big.length / 1048576).toFixed(0)} MB: ${hashRun.ms.toFixed(1)} ms (${sha256MBPerS.toFixed(0)} MB/s)`);
    const files: PdfSealBenchResults['files'] = [];
    for (const bytes of sizes) {
      const pdf = paddedPdf(bytes);
      const placement = { page: 1, xMm: 120, yMm: 200, widthMm: 42, heightMm: 42 };
      const sealOnce = async () => {
        const prepared = prepareSignature(pdf, { placements: [placement], image: { png: picture }, subFilter: 'ETSI.CAdES.detached', reason: '申报材料', location: '南宁' });
        const digest = digestChunks(signedChunks(prepared.pdf, prepared.byteRange), 'sha256');
        const cms = await signDetached(digest, 'pades', signer, der, []);
        return embedSignature(prepared, cms);
      };
      const sealed = await sealOnce();
      const server = await measure(runs, async () => void (await sealOnce()));
      let attrs: ReturnType<typeof prepareSignedAttributes> | undefined;
      let preparedDoc: ReturnType<typeof prepareSignature> | undefined;
      const prep = await measure(runs, async () => {
        preparedDoc = prepareSignature(pdf, { placements: [placement], image: { png: picture }, subFilter: 'ETSI.CAdES.detached' });
        attrs = prepareSignedAttributes({ family: 'pades', contentDigest: digestChunks(signedChunks(preparedDoc.pdf, preparedDoc.byteRange), 'sha256'), signerCertificate: der });
      });
      const deviceSignature = await signer.sign(attrs!.dataToSign);
      const embed = await measure(runs, async () => {
        const sig = checkSignatureOverAttributes(attrs!, deviceSignature, der);
        embedSignature(preparedDoc!, assembleSignedData({ prepared: attrs!, signature: sig, signerCertificate: der, chain: [] }));
      });
      const verify = await measure(runs, async () => {
        const [s] = readPdfSignatures(sealed);
        const digest = digestChunks(signedChunks(sealed, s!.byteRange), digestAlgorithmOf(s!.contents) as 'sha256');
        const v = verifySignedData(s!.contents, digest);
        if (!v.digestMatches || !v.signatureValid) throw new Error(`bench seal does not verify: ${v.problems.join('; ')}`);
      });
      const overHash = server.ms / ((bytes / 1048576 / sha256MBPerS) * 1000);
      files.push({ bytes, serverSideMs: server.ms, serverSidePeakBytes: server.peakBytes, deferredPrepareMs: prep.ms, deferredEmbedMs: embed.ms, verifyMs: verify.ms, overHash });
      log(`  ${(bytes / 1048576).toFixed(0)} MB: server-side ${server.ms.toFixed(1)} ms (peak +${(server.peakBytes / 1048576).toFixed(0)} MB), prepare ${prep.ms.toFixed(1)} ms, embed ${embed.ms.toFixed(1)} ms, verify ${verify.ms.toFixed(1)} ms`);
    }
    return { sha256MBPerS, files, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
