import { PNG } from 'pngjs';
import { defaultHeaders, type JsonResponse } from './http';

/**
 * A small well-formed PDF (one page, one text line) with a correct cross-reference table, as a
 * scanned form would be in structure: what the material checks accept.
 */
export function samplePdf(text = 'ecert test material'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    (() => {
      const stream = `BT /F1 12 Tf 72 770 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
      return `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
    })(),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A plain PNG (a scanned ID copy, say). */
export function samplePng(width = 64, height = 48): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = 200;
    png.data[i + 1] = 210;
    png.data[i + 2] = 220;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** POSTs raw bytes (an upload) and parses the JSON answer. */
export async function upload(base: string, path: string, bytes: Uint8Array, contentType: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const res = await fetch(base + path, { method: 'POST', headers: { ...defaultHeaders, 'content-type': contentType, ...headers }, body: bytes });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}
